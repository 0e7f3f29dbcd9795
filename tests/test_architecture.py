"""The engine knows nothing about Discord: a test, not a convention."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

ENGINE = PROJECT_ROOT / "bot" / "engine"


def imported_modules(path: Path) -> set[str]:
    package = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts[:-1])
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> set[str]:
    """Every module `source` (a module of `package`) imports, as dotted names, relative imports resolved:
    `from ..discord_app import x` in bot.engine is bot.discord_app and bot.discord_app.x."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            module = node.module if node.level == 0 else ".".join(p for p in (base, node.module) if p)
            names |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return names


def forbidden_in_engine(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in ("discord", "aiohttp", "bot.discord_app",
                                                               "bot.terminal"))


def test_engine_modules_import_neither_discord_nor_an_adapter() -> None:
    offenders = {p.name: sorted(filter(forbidden_in_engine, imported_modules(p))) for p in ENGINE.glob("*.py")}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_relative_imports_are_resolved() -> None:
    source = "from ..discord_app import limits\nfrom . import models\nfrom .store import Store\nimport discord.ui\n"
    names = imports_in(source, "bot.engine")
    assert {"bot.discord_app", "bot.discord_app.limits", "bot.engine.models", "bot.engine.store",
            "discord.ui"} <= names
    assert sorted(filter(forbidden_in_engine, names)) == ["bot.discord_app", "bot.discord_app.limits", "discord.ui"]


def test_every_package_has_an_init_so_import_linter_sees_it() -> None:
    missing = [str(d.relative_to(PROJECT_ROOT)) for d in (PROJECT_ROOT / "bot").rglob("*")
               if d.is_dir() and d.name != "__pycache__" and not (d / "__init__.py").exists()]
    assert missing == []


def test_terminal_commands_run_without_loading_discord() -> None:
    code = ("import sys, bot.__main__, bot.engine.app, bot.terminal.chat, bot.terminal.commands; "
            "print('discord' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert out.stdout.strip() == "False"


def test_modules_stay_small() -> None:
    too_long = {str(p.relative_to(PROJECT_ROOT)): n for p in (PROJECT_ROOT / "bot").rglob("*.py")
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert too_long == {}
