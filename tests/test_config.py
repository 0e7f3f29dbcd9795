"""Settings: .env read as python-dotenv reads it, and every bad value refused in one line naming its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import Settings, SettingsError

KEYS = ("DISCORD_TOKEN", "OTBOT_ASK_RATE", "OTBOT_ASK_PER_SECONDS", "OTBOT_DEV_GUILD", "OTBOT_LOG_LEVEL",
        "OTBOT_MESSAGE_CONTENT")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in KEYS:
        monkeypatch.delenv(key, raising=False)


def env_file(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / ".env"
    path.write_text(text, encoding=encoding)
    return path


def test_quoted_values_with_a_comment_after_them_lose_quotes_and_comment(tmp_path: Path) -> None:
    path = env_file(tmp_path, 'DISCORD_TOKEN="abc.def.ghi" # my bot\nexport OTBOT_DEV_GUILD=123 # test server\n')
    settings = Settings.load(env_file=path)
    assert (settings.token, settings.dev_guild) == ("abc.def.ghi", 123)


def test_a_byte_order_mark_does_not_hide_the_first_key(tmp_path: Path) -> None:
    path = env_file(tmp_path, "DISCORD_TOKEN=abc.def.ghi\nOTBOT_LOG_LEVEL=debug\n", encoding="utf-8-sig")
    settings = Settings.load(env_file=path)
    assert (settings.token, settings.log_level) == ("abc.def.ghi", "DEBUG")


def test_the_environment_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTBOT_ASK_RATE", "9")
    assert Settings.load(env_file=env_file(tmp_path, "OTBOT_ASK_RATE=3\n")).ask_rate == 9


@pytest.mark.parametrize(("line", "key"), [
    ("OTBOT_ASK_RATE=five", "OTBOT_ASK_RATE"),
    ("OTBOT_ASK_RATE=0", "OTBOT_ASK_RATE"),
    ("OTBOT_ASK_PER_SECONDS=soon", "OTBOT_ASK_PER_SECONDS"),
    ("OTBOT_DEV_GUILD=abc", "OTBOT_DEV_GUILD"),
    ("OTBOT_LOG_LEVEL=verbose", "OTBOT_LOG_LEVEL"),
    ("OTBOT_MESSAGE_CONTENT=maybe", "OTBOT_MESSAGE_CONTENT"),
])
def test_a_bad_value_is_one_line_naming_the_key_and_exit_2(tmp_path: Path, line: str, key: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = env_file(tmp_path, line + "\n")
    with pytest.raises(SettingsError, match=f"^{key}="):
        Settings.load(env_file=path)
    assert main(["--env-file", str(path), "check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"otbot: {key}=") and err.count("\n") == 1 and "Traceback" not in err
