"""limits.py and render.py without Discord: texts are cut with an ellipsis, messages split, embeds fit."""

from __future__ import annotations

import discord
import pytest

from bot.discord_app import limits
from bot.discord_app.game_render import stats_embed
from bot.discord_app.limits import fit_embeds, shorten
from bot.discord_app.render import decline_embed, entry_embed, entry_list_embed, sources_text
from bot.engine.leaderboard import personal_stats
from bot.engine.models import Entry, Outcome, Reply, Source

from .fake_discord.limits import embed_problems


def long_entry(**changes: object) -> Entry:
    values: dict[str, object] = {
        "id": "long-entry", "question": "Why? " * 100, "answer": "Because school OT supports learning. " * 200,
        "school": "S" * 3000, "medical": "M" * 3000,
        "sources": tuple(Source("T" * 300, f"https://example.org/{i}/" + "p" * 200, "34 CFR §300.34")
                         for i in range(9)),
    }
    values.update(changes)
    return Entry(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("short", 10, "short"),
    ("exactly10!", 10, "exactly10!"),
    ("eleven char", 10, "eleven ch…"),
    ("word   then space", 8, "word…"),  # trailing spaces before the ellipsis are dropped
    ("", 5, ""),
    ("abc", 1, "…"),
])
def test_shorten(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


def test_shorten_none_is_empty() -> None:
    assert shorten(None, 5) == ""  # type: ignore[arg-type]


def test_entry_embed_shortens_every_part_with_an_ellipsis() -> None:
    embed = entry_embed(long_entry())
    assert len(embed.title or "") <= limits.EMBED_TITLE and (embed.title or "").endswith("…")
    assert all(len(f.value or "") <= limits.EMBED_FIELD_VALUE for f in embed.fields)
    assert all((f.value or "").endswith("…") for f in embed.fields)
    assert len(embed) <= limits.EMBED_TOTAL
    assert embed_problems([embed.to_dict()]) == []  # type: ignore[list-item]


def test_sources_show_a_bare_citation_once() -> None:
    entry = long_entry(sources=(Source("34 CFR §300.34", cite="34 CFR §300.34"),
                                Source("https://example.org/a", url="https://example.org/a"),
                                Source("Page [draft]", url="https://example.org/b", cite="p. 3")))
    assert sources_text(entry).splitlines() == [
        "• 34 CFR §300.34", "• [https://example.org/a](https://example.org/a)",
        "• [Page (draft)](https://example.org/b) (p. 3)"]


def test_fit_embeds_keeps_several_embeds_within_the_shared_total() -> None:
    first = discord.Embed(title="t" * 256, description="d" * 4000)
    second = discord.Embed(description="e" * 3000)
    second.add_field(name="chart", value="```\nA ██\n```")
    second.add_field(name="why", value="w" * 1024)
    fitted = fit_embeds([first, second])
    assert sum(len(e) for e in fitted) <= limits.EMBED_TOTAL
    assert (first.description or "").endswith("…") and second.fields[0].value == "```\nA ██\n```"
    assert embed_problems([e.to_dict() for e in fitted]) == []  # type: ignore[misc]


def test_decline_and_list_embeds_fit() -> None:
    many = [long_entry(id=f"e-{i}") for i in range(40)]
    reply = Reply("q", Outcome.UNSURE, 0.3, suggestions=tuple(many[:3]), decline_message="Did you mean?")
    for embed in (decline_embed(reply), entry_list_embed("All", many, page=99)):
        assert embed_problems([embed.to_dict()]) == []  # type: ignore[list-item]
    assert "Page 3 of 3" in (entry_list_embed("All", many, page=99).footer.text or "")


def test_stats_without_rounds_has_no_empty_fields() -> None:
    embed = stats_embed("pia", personal_stats("1", []))
    assert embed.description == "No rounds played yet." and not embed.fields


def short_entry(**changes: object) -> Entry:
    values: dict[str, object] = {"id": "short-entry", "question": "What is school OT?",
                                 "answer": "It supports the student's education.",
                                 "sources": (Source("IDEA", cite="34 CFR 300.34"),)}
    values.update(changes)
    return Entry(**values)  # type: ignore[arg-type]


def test_family_note_is_shown_once_and_only_when_the_engine_set_it() -> None:
    note = "Bring this to the student's IEP or 504 team."
    with_note = entry_embed(short_entry(), family_note=note).to_dict()
    assert with_note["description"].count(note) == 1
    without = entry_embed(short_entry()).to_dict()
    assert "IEP or 504 team" not in str(without)  # not in the footer either: the footer is the disclaimer only


def test_notes_for_teachers_and_ots_are_their_own_fields() -> None:
    embed = entry_embed(short_entry(for_teachers="Ask the case manager.", for_ots="Document the consult."))
    fields = {f.name: f.value for f in embed.fields}
    assert fields["For teachers and paras"] == "Ask the case manager."
    assert fields["For OTs"] == "Document the consult."
    assert "For OTs" not in {f.name for f in entry_embed(short_entry()).fields}


def test_a_second_question_is_named_in_the_answer() -> None:
    other = short_entry(id="paying", question="Who pays for school OT?")
    embed = entry_embed(short_entry(), also_asked=(other,))
    assert "You also asked about: **Who pays for school OT?**" in (embed.description or "")
