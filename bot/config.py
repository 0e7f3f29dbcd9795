"""Settings from the environment and an optional .env file, every one validated here. Defaults live here;
only Discord needs a token.

`.env` is read by python-dotenv (`dotenv_values`), which handles what people write in it the way other tools
do: quotes with a comment after them, `export `, escapes, a UTF-8 byte-order mark.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dotenv import dotenv_values

from .engine.errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MESSAGE_CONTENT_MODES = ("auto", "on", "off")
T = TypeVar("T")


class SettingsError(UserError):
    """One setting has a value otbot cannot use; the message names the key and what it accepts."""


def _default_dir(name: str) -> Path:
    """Content shipped beside the package (editable install or a checkout), else the working folder."""
    shipped = PROJECT_ROOT / name
    return shipped if shipped.is_dir() else Path.cwd() / name


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE pairs of a .env file (none when it does not exist); keys without a value are left out."""
    if not path.is_file():
        return {}
    return {key: value for key, value in dotenv_values(path, encoding="utf-8-sig").items() if value is not None}


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:  # also refuses nan
        raise ValueError
    return value


def _snowflake(text: str) -> int:
    if not text.isdigit():
        raise ValueError
    return int(text)


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.lower() not in {c.lower() for c in choices}:
            raise ValueError
        return text.lower() if choices == MESSAGE_CONTENT_MODES else text.upper()

    return parse


class _Source:
    """Where a value comes from: the environment wins over .env; blank counts as unset."""

    def __init__(self, file_values: Mapping[str, str]) -> None:
        self.file_values = file_values

    def get(self, key: str) -> str | None:
        value = os.environ.get(key, self.file_values.get(key))
        return value.strip() if value and value.strip() else None

    def parsed(self, key: str, parse: Callable[[str], T], default: T, accepts: str) -> T:
        text = self.get(key)
        if text is None:
            return default
        try:
            return parse(text)
        except ValueError:
            shown = text if len(text) <= 40 else text[:40] + "…"
            raise SettingsError(f"{key}={shown!r} is not valid: expected {accepts}.") from None


@dataclass(frozen=True, slots=True)
class Settings:
    knowledge_dir: Path
    scenarios_dir: Path
    db_path: Path
    token: str | None = None
    log_level: str = "INFO"
    dev_guild: int | None = None
    message_content: str = "auto"  # auto: on when a server has answer channels; on; off
    ask_rate: int = 5  # questions per member ...
    ask_per_seconds: float = 60.0  # ... per this many seconds

    @classmethod
    def load(cls, *, env_file: Path | None = None, knowledge: str | None = None, scenarios: str | None = None,
             db: str | None = None, default_db: Path = Path("otbot.db")) -> Settings:
        """Command-line values win over the environment, which wins over .env, which wins over defaults.
        Raises SettingsError (one line, naming the key) for a value otbot cannot use. `default_db` is the
        caller's: the Discord bot keeps ./otbot.db beside its .env, the terminal commands keep theirs in the
        user's data folder."""
        source = _Source(read_env_file(env_file or Path.cwd() / ".env"))
        return cls(
            knowledge_dir=Path(knowledge or source.get("OTBOT_KNOWLEDGE") or _default_dir("knowledge")),
            scenarios_dir=Path(scenarios or source.get("OTBOT_SCENARIOS") or _default_dir("scenarios")),
            db_path=Path(db or source.get("OTBOT_DB") or default_db),
            token=source.get("DISCORD_TOKEN"),
            log_level=source.parsed("OTBOT_LOG_LEVEL", _one_of(LOG_LEVELS), "INFO", "one of " + ", ".join(LOG_LEVELS)),
            dev_guild=source.parsed("OTBOT_DEV_GUILD", _snowflake, None, "a server id (digits only)"),
            message_content=source.parsed("OTBOT_MESSAGE_CONTENT", _one_of(MESSAGE_CONTENT_MODES), "auto",
                                          "one of auto, on, off"),
            ask_rate=source.parsed("OTBOT_ASK_RATE", _positive_int, 5, "a whole number of questions, 1 or more"),
            ask_per_seconds=source.parsed("OTBOT_ASK_PER_SECONDS", _positive_float, 60.0,
                                          "a number of seconds above 0"),
        )
