"""`otbot chat` in a real pseudo-terminal, 80 columns by 24 rows, as a person at a keyboard meets it:
readline, Rich on a TTY (colours, links), Ctrl-C, Ctrl-D and Ctrl-L sent as the bytes a terminal sends."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT

WIDTH, ROWS = 80, 24
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[=>]")
MARKDOWN_MARKERS = re.compile(r"\*\*|(?<![\w*])\*(?=\w)|__|`")
CTRL_C, CTRL_D, CTRL_L = b"\x03", b"\x04", b"\x0c"


class Terminal:
    """A child process on a pseudo-terminal: type into it, read what the screen would show."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal before anything reads it, then become otbot
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, WIDTH, 0, 0))
            os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, "-m", "bot", "chat"], env)
        self.pid, self.fd = pid, fd
        self.returncode: int | None = None
        self.raw = b""
        self.seen = 0  # how much of the screen text earlier expects consumed

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw.decode("utf-8", "replace")).replace("\r\n", "\n").replace("\r", "")

    def _pump(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # the child closed the terminal
            return False
        self.raw += chunk
        return bool(chunk)

    def expect(self, wanted: str, timeout: float = 30) -> str:
        """Wait until `wanted` appears after what earlier expects consumed; return the text up to it."""
        end = time.monotonic() + timeout
        while (found := self.text.find(wanted, self.seen)) < 0:
            if time.monotonic() > end or (not self._pump(end - time.monotonic()) and self.exited() is not None):
                raise AssertionError(f"{wanted!r} not shown; screen ends with:\n{self.text[-1500:]}")
        before = self.text[self.seen:found]
        self.seen = found + len(wanted)
        return before

    def settle(self, quiet: float = 0.3) -> None:
        """Wait until the screen has been still a moment. A key pressed in the microseconds between the
        prompt being drawn and readline waiting for keys is a race no person can win; tests should not."""
        while self._pump(quiet):
            pass

    def type(self, data: bytes | str) -> None:
        if isinstance(data, bytes) and len(data) == 1 and data < b" ":
            self.settle()
        os.write(self.fd, data.encode() if isinstance(data, str) else data)

    def line(self, text: str) -> None:
        self.type(text + "\r")

    def exited(self, timeout: float = 0) -> int | None:
        end = time.monotonic() + timeout
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = 0
                self.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() >= end:
                return None
            self._pump(0.05)
        return self.returncode

    def close(self) -> None:
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def terminal(tmp_path: Path, home: Path) -> Iterator[Terminal]:
    here = tmp_path / "here"
    here.mkdir()
    env = {"PATH": os.environ.get("PATH", ""), "TERM": "xterm-256color", "LANG": "C.UTF-8",
           "PYTHONPATH": str(PROJECT_ROOT), "HOME": str(home), "COLUMNS": "", "LINES": "",
           **{f"XDG_{name}_HOME": str(home / name.lower()) for name in ("DATA", "STATE", "CACHE", "CONFIG")}}
    started = Terminal(here, {k: v for k, v in env.items() if v})
    started.expect("you> ")
    yield started
    started.close()
    assert list(here.iterdir()) == []  # nothing written to the folder the chat ran in


def check_screen(text: str) -> None:
    for line in text.splitlines():
        assert len(line) <= WIDTH, line
    assert not MARKDOWN_MARKERS.search(text), MARKDOWN_MARKERS.search(text)


def test_an_answer_fits_80_columns_without_markdown_and_ctrl_c_leaves(terminal: Terminal, home: Path) -> None:
    terminal.line("why does my kid get OT at the clinic but not at school")
    answer = terminal.expect("you> ")
    assert "Sources" in answer and "Related (type a number):" in answer
    check_screen(answer)
    assert "\x1b[" in terminal.raw.decode("utf-8", "replace")  # colour on a terminal
    terminal.type(CTRL_C)  # at the prompt, with nothing typed: leaves at once, no Enter needed
    terminal.expect("Goodbye.", timeout=10)
    assert terminal.exited(timeout=10) == 0
    history = (home / "state" / "otbot" / "history").read_text(encoding="utf-8")
    assert "why does my kid get OT at the clinic" in history


def test_ctrl_l_is_never_part_of_a_question_and_ctrl_d_leaves(terminal: Terminal) -> None:
    terminal.type(CTRL_L)  # readline clears the screen and draws the prompt again
    terminal.line("hi")
    terminal.expect("Hello!")  # 'hi', not '\x0chi': small talk, not a question
    assert "For example:" in terminal.expect("you> ")
    terminal.type(CTRL_D)
    terminal.expect("Goodbye.", timeout=10)
    assert terminal.exited(timeout=10) == 0


def test_a_full_game_with_a_question_mid_round(terminal: Terminal) -> None:
    terminal.line("/scenario rounds 2")
    first_round = terminal.expect("answer> ")
    assert "Round 1 of 2" in first_round and "Type a letter from A to" in first_round
    terminal.line("who decides whether a student gets OT at school?")
    mid_round = terminal.expect("answer> ")
    assert "Sources" in mid_round and "Round 1 is still open" in mid_round
    terminal.line("/help")
    assert "/scenario [category] [difficulty 1-3] [rounds N]" in terminal.expect("answer> ")
    terminal.line("A")
    reveal = terminal.expect("next> ")
    assert "Why not the others:" in reveal and "Press Enter for the next round" in reveal
    assert "█" not in reveal  # no chart of a single answer
    terminal.line("")
    assert "Round 2 of 2" in terminal.expect("answer> ")
    terminal.line("B")
    summary = terminal.expect("you> ")
    assert "Game over" in summary and "Points" in summary
    check_screen(terminal.text)
    terminal.type(CTRL_C)
    terminal.expect("Goodbye.", timeout=10)
    assert terminal.exited(timeout=10) == 0
