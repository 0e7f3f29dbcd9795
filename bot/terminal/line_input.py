"""Reading one line at the chat prompt.

On a terminal: the standard library's readline (arrow keys, Ctrl-R search, Ctrl-L clears the screen) with a
per-user history file. From a pipe: raw bytes decoded as UTF-8 with replacement, so a bad byte in any
locale costs one character, never the session. Ctrl-C and Ctrl-D both mean "leave", at once.
"""

from __future__ import annotations

import contextlib
import logging
import re
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TextIO

log = logging.getLogger(__name__)

HISTORY_LENGTH = 1000
# Control characters a terminal without line editing would put into the question (Ctrl-L, escapes of arrow
# keys): never part of a question. Tab stays (it is whitespace).
_CONTROL = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|[\x00-\x08\x0a-\x1f\x7f]")


def clean_line(line: str) -> str:
    return _CONTROL.sub("", line).strip()


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt inside input() at once. Under asyncio.run() it would otherwise only
    cancel the main task, which waits for input() to return: for Enter."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _load_readline() -> ModuleType | None:
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input() still works
        return None
    if "libedit" in (readline.__doc__ or ""):  # macOS's Python links libedit, which has its own syntax
        readline.parse_and_bind("bind ^L ed-clear-screen")
    else:
        readline.parse_and_bind(r'"\C-l": clear-screen')
    return readline


class LineInput:
    def __init__(self, history: Path | None = None, stdin: TextIO | None = None,
                 stdout: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = self.stdin.isatty() and self.stdout.isatty()
        self.history = history
        self.readline = _load_readline() if self.interactive else None
        if self.readline and history:
            self.readline.set_history_length(HISTORY_LENGTH)
            try:
                self.readline.read_history_file(history)
            except FileNotFoundError:
                pass
            except OSError:  # unreadable history is not worth refusing to chat over
                log.warning("cannot read history %s", history, exc_info=True)

    def read(self, prompt: str) -> str | None:
        """One line without control characters, or None when the user leaves (Ctrl-D, Ctrl-C, end of input)."""
        try:
            raw = self._read_terminal(prompt) if self.interactive else self._read_pipe(prompt)
        except (EOFError, KeyboardInterrupt):
            return None
        return None if raw is None else clean_line(raw)

    def _read_terminal(self, prompt: str) -> str:
        with interruptible():
            return input(prompt)

    def _read_pipe(self, prompt: str) -> str | None:
        self.stdout.write(prompt)
        self.stdout.flush()
        buffer = getattr(self.stdin, "buffer", None)
        if buffer is None:  # a text stream (tests): already decoded
            line = self.stdin.readline()
            return line or None
        data = buffer.readline()
        return data.decode("utf-8", errors="replace") if data else None

    def save(self) -> None:
        if not (self.readline and self.history):
            return
        try:
            self.history.parent.mkdir(parents=True, exist_ok=True)
            self.readline.write_history_file(self.history)
        except OSError:
            log.warning("cannot save history %s", self.history, exc_info=True)
