"""Custom ids are a contract with every message already posted: builders match templates, old ids still route."""

from __future__ import annotations

import re

import pytest

from bot.discord_app import custom_ids

LONGEST_ENTRY_ID = "a" * 64
LARGEST_ID = 2**63 - 1  # SQLite's largest rowid

BUILT = [
    (custom_ids.ENTRY, custom_ids.entry(LONGEST_ENTRY_ID, LARGEST_ID)),
    (custom_ids.FEEDBACK, custom_ids.feedback(LONGEST_ENTRY_ID, False, LARGEST_ID)),
    (custom_ids.MISSED, custom_ids.missed("dismiss", LARGEST_ID)),
    (custom_ids.FAQ_REMOVE, custom_ids.faq_remove(LONGEST_ENTRY_ID)),
    (custom_ids.FAQ_PAGE, custom_ids.faq_page(999, "t" * 40)),
    (custom_ids.ANSWER, custom_ids.answer(LARGEST_ID, "k" * 40)),
    (custom_ids.REVEAL, custom_ids.reveal(LARGEST_ID)),
    (custom_ids.NEXT_PRACTICE, custom_ids.next_practice(LARGEST_ID)),
    (custom_ids.STOP_PRACTICE, custom_ids.stop_practice(LARGEST_ID)),
]


@pytest.mark.parametrize(("template", "built"), BUILT)
def test_every_built_id_matches_its_template_and_fits_discord(template: str, built: str) -> None:
    assert re.fullmatch(template, built)
    assert len(built) <= 100  # Discord's limit for a custom id


@pytest.mark.parametrize(("template", "posted", "groups"), [
    (custom_ids.ENTRY, "otbot:entry:iep-vs-504", {"id": "iep-vs-504", "asked": None}),
    (custom_ids.FEEDBACK, "otbot:fb:n:iep-vs-504", {"vote": "n", "id": "iep-vs-504", "asked": None}),
    (custom_ids.FEEDBACK, "otbot:fb:y:iep-vs-504:17", {"vote": "y", "id": "iep-vs-504", "asked": "17"}),
    (custom_ids.ANSWER, "otbot:ans:12:school", {"round": "12", "key": "school"}),
])
def test_ids_posted_by_earlier_versions_still_route(template: str, posted: str, groups: dict[str, str]) -> None:
    match = re.fullmatch(template, posted)
    assert match is not None and match.groupdict() == groups
