"""Hostile input made safe to match and to echo back."""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 2000  # a long story is fine; 100 KB of paste is cut, not choked on

_INVISIBLE = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                        r"\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]")
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#|a?:\w+:)\d+>|@everyone|@here")


def clean(text: str) -> str:
    """Printable, bounded text: no zero-width tricks, no Discord mentions, at most MAX_QUESTION_CHARS."""
    text = text[: MAX_QUESTION_CHARS * 2]
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _DISCORD_MARKUP.sub(" ", text)
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return " ".join(text.split())[:MAX_QUESTION_CHARS]
