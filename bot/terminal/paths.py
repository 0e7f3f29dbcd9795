"""Where the terminal keeps its files: the user's own data, state and cache folders, never the current one.

platformdirs knows each system's convention (XDG on Linux, ~/Library on macOS, %LOCALAPPDATA% on Windows)
and honours XDG_DATA_HOME and friends, which the tests use to keep their files in a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "otbot"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_db() -> Path:
    """The terminal's database: local FAQ entries, games and scores of this user."""
    return data_dir() / "otbot.db"


def history_file() -> Path:
    return state_dir() / "history"


def error_log() -> Path:
    return state_dir() / "errors.log"
