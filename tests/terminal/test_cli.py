"""The command line, run as a user runs it: a real process, real files, real stdin and stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.engine.content import CuratedContent

CONTRACT_KEYS = {"question", "answered", "id", "title", "answer", "confidence", "suggestions", "sources"}


@pytest.fixture(autouse=True)
def user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's data, state and cache folders, in a temporary place (platformdirs follows XDG_*)."""
    home = tmp_path / "home"
    for name in ("DATA", "STATE", "CACHE", "CONFIG"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(home / name.lower()))
    monkeypatch.delenv("OTBOT_DB", raising=False)
    return home


def otbot(*args: str, stdin: str | bytes | None = None, cwd: Path | None = None,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if isinstance(stdin, bytes):
        done = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                              cwd=cwd or PROJECT_ROOT, env={**os.environ, **(env or {})}, timeout=60)
        return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode("utf-8", "replace"),
                                           done.stderr.decode("utf-8", "replace"))
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd or PROJECT_ROOT, env={**os.environ, **(env or {})}, timeout=60)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "otbot.db")


def test_check_passes_on_the_shipped_content() -> None:
    result = otbot("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def test_check_fails_and_names_file_and_line(tmp_path: Path) -> None:
    knowledge = tmp_path / "k"
    knowledge.mkdir()
    (knowledge / "bad.yaml").write_text("- id: x\n  question: [oops\n", encoding="utf-8")
    result = otbot("--knowledge", str(knowledge), "check")
    assert result.returncode == 1
    assert "bad.yaml:" in result.stdout and "invalid YAML" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_ask_json_stdin_follows_the_contract_in_order(db: str, knowledge: CuratedContent) -> None:
    stored = next(e for e in knowledge.entries if e.id == "school-vs-clinic-ot").question
    questions = [stored,
                 "what's the weather in chicago tomorrow",
                 "",
                 '" OR 1=1 -- NEAR(x) @everyone ' + "x" * 5000]
    result = otbot("--db", db, "ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(questions)
    assert all(set(line) == CONTRACT_KEYS for line in lines)
    assert [line["question"] for line in lines[:2]] == questions[:2]
    first = lines[0]
    assert first["answered"] is True and first["id"] == "school-vs-clinic-ot"
    assert first["title"] and first["answer"] and first["sources"] and 0 <= first["confidence"] <= 1
    assert lines[1]["answered"] is False and lines[1]["id"] is None and lines[1]["answer"] is None
    assert all(isinstance(s, dict) and set(s) == {"id", "title"} for line in lines for s in line["suggestions"])
    assert "Traceback" not in result.stderr


def test_ask_prints_the_answer_with_sources(db: str, knowledge: CuratedContent) -> None:
    result = otbot("--db", db, "ask", *knowledge.entries[0].question.split(), env={"COLUMNS": "60"})
    assert result.returncode == 0
    assert "\nSources\n" in result.stdout and "\x1b[" not in result.stdout  # piped: plain text, no colour
    assert max(len(line) for line in result.stdout.splitlines()) <= 60
    assert "**" not in result.stdout and "confidence" not in result.stdout


def test_environment_variables_choose_content_and_database(tmp_path: Path) -> None:
    knowledge = tmp_path / "k"
    knowledge.mkdir()
    (knowledge / "one.yaml").write_text(
        "- id: only-entry\n  question: What is the parent OT coffee morning?\n"
        "  alternates: [ot coffee, morning, parents]\n"
        "  answer: A monthly chat.\n  audiences: [parents]\n  sources: [{title: Newsletter, cite: May issue}]\n"
        "  reviewed: 2026-11-26\n",
        encoding="utf-8")
    env = {"OTBOT_KNOWLEDGE": str(knowledge), "OTBOT_DB": str(tmp_path / "env.db")}
    result = otbot("ask", "--json", "when is the parent OT coffee morning at school", env=env)
    assert json.loads(result.stdout)["id"] == "only-entry"
    assert not (tmp_path / "env.db").exists()  # ask records nothing unless asked to
    otbot("ask", "--record", "what's the weather tomorrow", env=env)
    assert (tmp_path / "env.db").exists()


def test_faq_add_list_show_remove_from_the_terminal(db: str) -> None:
    answers = "\n".join([
        "When is the OT parent night?",  # question
        "First Tuesday of the month at 6 pm.",  # answer
        "ot night for parents", "",  # alternates, then an empty line ends the list
        "events, local",  # tags
        "District calendar 2026", "",  # sources
    ]) + "\n"
    added = otbot("--db", db, "faq", "add", stdin=answers)
    assert added.returncode == 0, added.stderr
    assert "Saved 'when-is-the-ot-parent-night'" in added.stdout
    assert "when-is-the-ot-parent-night" in otbot("--db", db, "faq", "list", "events").stdout
    assert "First Tuesday" in otbot("--db", db, "faq", "show", "when-is-the-ot-parent-night").stdout
    asked = otbot("--db", db, "ask", "--json", "when is the ot parent night")
    assert json.loads(asked.stdout)["id"] == "when-is-the-ot-parent-night"
    assert otbot("--db", db, "faq", "remove", "when-is-the-ot-parent-night").returncode == 0
    missing = otbot("--db", db, "faq", "show", "when-is-the-ot-parent-night")
    assert missing.returncode == 1 and "No entry" in missing.stderr and "Traceback" not in missing.stderr


def test_faq_add_with_closed_input_loses_nothing_and_explains(db: str) -> None:
    result = otbot("--db", db, "faq", "add", stdin="A question?\n")
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_eval_prints_a_report(tmp_path: Path, db: str) -> None:
    labeled = tmp_path / "set.yaml"
    labeled.write_text("- q: school ot vs clinic ot\n  expect: school-vs-clinic-ot\n- q: weather in paris\n"
                       "  expect: null\n", encoding="utf-8")
    result = otbot("--db", db, "eval", str(labeled))
    assert result.returncode == 0
    assert "right" in result.stdout and "WRONG" in result.stdout and "risk-coverage" in result.stdout


def test_missing_token_is_one_line_not_a_traceback(tmp_path: Path, db: str) -> None:
    result = otbot("--db", db, "run", cwd=tmp_path, env={"DISCORD_TOKEN": ""})
    assert result.returncode == 1
    assert "DISCORD_TOKEN" in result.stderr and "Traceback" not in result.stderr


def test_chat_and_ask_leave_no_file_in_the_current_folder(tmp_path: Path, user_folders: Path) -> None:
    here = tmp_path / "here"
    here.mkdir()
    asked = otbot("ask", "why does my kid get OT at the clinic but not at school", cwd=here)
    chatted = otbot("chat", stdin="what is an IEP\n/scenario rounds 1\nA\n/stats\n", cwd=here)
    assert asked.returncode == 0 and chatted.returncode == 0, asked.stderr + chatted.stderr
    assert "Goodbye." in chatted.stdout
    assert list(here.iterdir()) == []
    assert (user_folders / "data" / "otbot" / "otbot.db").exists()  # the chat's games and scores live here
    recorded = otbot("ask", "--record", "what's the weather in paris", cwd=here)
    assert recorded.returncode == 0 and list(here.iterdir()) == []


@pytest.mark.parametrize("locale", ["C", "C.UTF-8"])
def test_invalid_utf8_on_stdin_costs_a_character_not_the_batch(tmp_path: Path, locale: str) -> None:
    questions = (b"what is school ot\n\xff\xfe bad \xc3( bytes about clinic ot\n"
                 b"\xe9t\xe9 ot at school?\nwhat is an iep\n")
    env = {"LC_ALL": locale, "LANG": locale, "PYTHONIOENCODING": "", "PYTHONUTF8": "0"}
    batch = otbot("ask", "--json", "-", stdin=questions, env=env, cwd=tmp_path)
    assert batch.returncode == 0, batch.stderr
    lines = [json.loads(line) for line in batch.stdout.splitlines()]
    assert len(lines) == 4 and "\ufffd" in lines[1]["question"]
    assert [lines[0]["question"], lines[3]["question"]] == ["what is school ot", "what is an iep"]
    chatted = otbot("chat", stdin=questions, env=env, cwd=tmp_path)
    assert chatted.returncode == 0 and "Traceback" not in chatted.stderr
    assert "Goodbye." in chatted.stdout


def test_an_unexpected_error_is_one_line_and_a_logged_traceback(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], user_folders: Path) -> None:
    from bot import __main__ as cli
    from bot.terminal import commands

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(commands, "check", broken)
    assert cli.main(["check"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError: disk on fire" in err and "Traceback" not in err
    log = (user_folders / "state" / "otbot" / "errors.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "disk on fire" in log
