"""Discord's size limits, applied before sending so nothing is ever rejected for length."""

from __future__ import annotations

MESSAGE = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_TOTAL = 6000
BUTTON_LABEL = 80  # Discord documents 80; some clients show fewer
SELECT_LABEL = 100
MODAL_TITLE = 45
TEXT_INPUT_VALUE = 4000
AUTOCOMPLETE_NAME = 100
CUSTOM_ID = 100


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, ending with an ellipsis when cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def split_message(text: str, limit: int = MESSAGE) -> list[str]:
    """Pieces of at most `limit` characters, broken at paragraph, line or word ends where possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        if cut <= limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces
