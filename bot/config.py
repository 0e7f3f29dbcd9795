"""Settings from the environment and an optional .env file. Defaults live here; only Discord needs a token."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_dir(name: str) -> Path:
    """Content shipped beside the package (editable install or a checkout), else the working folder."""
    shipped = PROJECT_ROOT / name
    return shipped if shipped.is_dir() else Path.cwd() / name


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; '#' comments, optional quotes, `export ` prefix. Unknown lines are ignored."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].strip()
        values[key.strip()] = value
    return values


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
        `default_db` is the caller's: the Discord bot keeps ./otbot.db beside its .env, the terminal commands
        keep theirs in the user's data folder."""
        file_values = read_env_file(env_file or Path.cwd() / ".env")

        def get(key: str) -> str | None:
            value = os.environ.get(key, file_values.get(key))
            return value.strip() if value and value.strip() else None

        dev_guild = get("OTBOT_DEV_GUILD")
        return cls(
            knowledge_dir=Path(knowledge or get("OTBOT_KNOWLEDGE") or _default_dir("knowledge")),
            scenarios_dir=Path(scenarios or get("OTBOT_SCENARIOS") or _default_dir("scenarios")),
            db_path=Path(db or get("OTBOT_DB") or default_db),
            token=get("DISCORD_TOKEN"),
            log_level=(get("OTBOT_LOG_LEVEL") or "INFO").upper(),
            dev_guild=int(dev_guild) if dev_guild and dev_guild.isdigit() else None,
            message_content=(get("OTBOT_MESSAGE_CONTENT") or "auto").lower(),
            ask_rate=int(get("OTBOT_ASK_RATE") or 5),
            ask_per_seconds=float(get("OTBOT_ASK_PER_SECONDS") or 60),
        )
