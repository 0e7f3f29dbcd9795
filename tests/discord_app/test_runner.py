"""`otbot run` / `otbot sync`: token problems are one clear line, never a traceback."""

from __future__ import annotations

import dataclasses
import signal
from pathlib import Path

import discord
import pytest

from bot.__main__ import main
from bot.discord_app import runner
from bot.engine.app import Engine
from bot.engine.errors import UserError

from .conftest import bot_settings
from .fake_discord import FakeDiscord


@pytest.fixture(autouse=True)
def _keep_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.utils, "setup_logging", lambda **kwargs: None)  # run() configures the root logger


async def test_run_without_a_token_explains_in_one_line(engine: Engine, db_path: Path) -> None:
    with pytest.raises(UserError) as caught:
        await runner.run(engine, dataclasses.replace(bot_settings(db_path), token=None))
    assert str(caught.value) == runner.NO_TOKEN and "\n" not in runner.NO_TOKEN
    with pytest.raises(UserError, match="No DISCORD_TOKEN"):
        await runner.sync(engine, dataclasses.replace(bot_settings(db_path), token=None), None)


@pytest.mark.parametrize("route", ["/users/@me", "/oauth2/applications/@me"])
async def test_run_with_a_rejected_token_explains_in_one_line(
        fake: FakeDiscord, engine: Engine, db_path: Path, route: str) -> None:
    fake.fail_next("GET", route, status=401, body={"message": "401: Unauthorized", "code": 0})
    with fake.patch_discord(), pytest.raises(UserError) as caught:
        await runner.run(engine, bot_settings(db_path, token="not.a-real.token"))
    assert str(caught.value) == runner.BAD_TOKEN and "\n" not in runner.BAD_TOKEN
    assert [r.status for r in fake.requests_to("GET", route)] == [401]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers handed back


async def test_sync_with_a_rejected_token(fake: FakeDiscord, engine: Engine, db_path: Path) -> None:
    fake.fail_next("GET", "/users/@me", status=401, body={"message": "401: Unauthorized", "code": 0})
    with fake.patch_discord(), pytest.raises(UserError, match="Discord rejected DISCORD_TOKEN"):
        await runner.sync(engine, bot_settings(db_path), None)


async def test_sync_registers_commands_in_one_server(fake: FakeDiscord, engine: Engine, db_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with fake.patch_discord():
        assert await runner.sync(engine, bot_settings(db_path), 710000000000000001) == 0
    names = {c["name"] for c in fake.commands[710000000000000001]}
    assert names == {"ask", "scenario", "faq", "otbot"}
    assert "Registered 4 commands in server" in capsys.readouterr().out


def test_cli_run_without_token_prints_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    code = main(["--env-file", str(tmp_path / "none.env"), "--db", str(tmp_path / "cli.db"), "run"])
    err = capsys.readouterr().err
    assert code == 1 and err.strip().count("\n") == 0 and err.startswith("otbot: No DISCORD_TOKEN set.")


async def test_sync_in_a_server_the_bot_is_not_in(fake: FakeDiscord, engine: Engine, db_path: Path) -> None:
    fake.fail_next("PUT", r"/applications/\d+/guilds/\d+/commands", status=403,
                   body={"message": "Missing Access", "code": 50001})
    with fake.patch_discord(), pytest.raises(UserError, match=r"applications\.commands"):
        await runner.sync(engine, bot_settings(db_path), 123)


@pytest.mark.parametrize("token", ["abc.def\nghi", "abc def.ghi", '"abc.def.ghi"'])
async def test_a_token_that_cannot_be_one_is_refused_in_one_line(engine: Engine, db_path: Path, token: str) -> None:
    with pytest.raises(UserError) as caught:
        await runner.run(engine, bot_settings(db_path, token=token))
    assert str(caught.value) == runner.BAD_TOKEN


async def test_gateway_authentication_failure_explains_in_one_line(fake: FakeDiscord, engine: Engine,
                                                                   db_path: Path) -> None:
    fake.gateway.reject_identify = 4004
    with fake.patch_discord(), pytest.raises(UserError) as caught:
        await runner.run(engine, bot_settings(db_path, token="not.a-real.token"))
    assert str(caught.value) == runner.BAD_TOKEN


def test_cli_with_a_newline_in_the_token_prints_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def\nghi")
    code = main(["--env-file", str(tmp_path / "none.env"), "--db", str(tmp_path / "cli.db"), "run"])
    err = capsys.readouterr().err
    assert code == 1 and err.strip().count("\n") == 0 and "Discord rejected DISCORD_TOKEN" in err
