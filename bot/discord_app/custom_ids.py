"""Every `otbot:` custom id the bot puts on a button: its template (to route a click, even after a restart)
and its builder, side by side so they cannot drift apart.

The formats are a contract with every message already posted: change one and its old buttons stop working.
Add new state as an optional suffix (as `asked` was added to the entry and feedback buttons).
"""

from __future__ import annotations

ENTRY_ID = r"[a-z0-9-]{1,64}"
_ASKED = r"(?::(?P<asked>\d+))?"  # the stored question an answer is for; absent on buttons posted before

ENTRY = rf"otbot:entry:(?P<id>{ENTRY_ID}){_ASKED}"
FEEDBACK = rf"otbot:fb:(?P<vote>[yn]):(?P<id>{ENTRY_ID}){_ASKED}"
MISSED = r"otbot:missed:(?P<action>new|phr|dismiss):(?P<id>\d+)"
FAQ_REMOVE = rf"otbot:faqrm:(?P<id>{ENTRY_ID})"
FAQ_PAGE = r"otbot:faqpage:(?P<page>\d+):(?P<tag>.{0,40})"  # any tag text
ANSWER = r"otbot:ans:(?P<round>\d+):(?P<key>[A-Za-z0-9_-]{1,40})"
REVEAL = r"otbot:reveal:(?P<round>\d+)"
NEXT_PRACTICE = r"otbot:next:(?P<game>\d+)"
STOP_PRACTICE = r"otbot:stoppractice:(?P<game>\d+)"


def _asked(asked_id: int | None) -> str:
    return "" if asked_id is None else f":{asked_id}"


def entry(entry_id: str, asked_id: int | None = None) -> str:
    return f"otbot:entry:{entry_id}{_asked(asked_id)}"


def feedback(entry_id: str, helpful: bool, asked_id: int | None = None) -> str:
    return f"otbot:fb:{'y' if helpful else 'n'}:{entry_id}{_asked(asked_id)}"


def missed(action: str, missed_id: int) -> str:
    return f"otbot:missed:{action}:{missed_id}"


def faq_remove(entry_id: str) -> str:
    return f"otbot:faqrm:{entry_id}"


def faq_page(page: int, tag: str) -> str:
    return f"otbot:faqpage:{page}:{tag}"


def answer(round_id: int, option_key: str) -> str:
    return f"otbot:ans:{round_id}:{option_key}"


def reveal(round_id: int) -> str:
    return f"otbot:reveal:{round_id}"


def next_practice(game_id: int) -> str:
    return f"otbot:next:{game_id}"


def stop_practice(game_id: int) -> str:
    return f"otbot:stoppractice:{game_id}"
