"""The engine knows nothing about Discord: a test, not a convention."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

ENGINE = PROJECT_ROOT / "bot" / "engine"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_engine_modules_do_not_import_discord() -> None:
    offenders = [p.name for p in ENGINE.glob("*.py") if "discord" in imported_modules(p)]
    assert offenders == []


def test_terminal_commands_run_without_loading_discord() -> None:
    code = ("import sys, bot.__main__, bot.engine.app, bot.terminal.chat, bot.terminal.commands; "
            "print('discord' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert out.stdout.strip() == "False"


def test_modules_stay_small() -> None:
    too_long = {str(p.relative_to(PROJECT_ROOT)): n for p in (PROJECT_ROOT / "bot").rglob("*.py")
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert too_long == {}
