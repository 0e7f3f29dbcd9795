"""What an answer looks like in a terminal, for every field the engine can set, at wide and narrow widths."""

from __future__ import annotations

import io
import re

from rich.console import RenderableType

from bot.engine.models import Entry, Outcome, Reply, Scenario, ScenarioOption, Source
from bot.terminal.play_render import with_labels
from bot.terminal.render import DISCLAIMER, choices_of, make_console, reply_view, terminal_decline

ENTRY = Entry(
    "school-vs-clinic-ot", "How is school-based OT different from clinic OT?",
    "The main difference is **what the therapy is for**. School OT is a *related service*.\n\n"
    "- School OT: as a **student**\n- Clinic OT: in *every* role",
    school="Free, written in the IEP.", medical="Paid by insurance, Medicaid or the family.",
    sources=(Source("IDEA regulations: related services, a very long title that goes on and on", cite="34 CFR §300.34"),
             Source("A page", url="https://www.example.org/a/very/long/path/that/would/never/fit/on/one/line")),
    for_teachers="Note what you see in class.", for_ots="Tie goals to participation.")
OTHER = Entry("who-decides", "Who decides whether a student gets OT at school?", "The IEP team.")
RELATED = Entry("present-levels", "What are present levels?", "A summary.")


def to_text(renderable: RenderableType, width: int = 80) -> str:
    """Plain text, as a pipe receives it: no styles, `width` columns."""
    buffer = io.StringIO()
    make_console(buffer, width).print(renderable)
    return buffer.getvalue()


def answered(**fields: object) -> Reply:
    return Reply("q", Outcome.ANSWERED, 0.9, entry=ENTRY, related=(RELATED,), **fields)  # type: ignore[arg-type]


def test_markdown_is_rendered_not_shown_and_lines_fit() -> None:
    for width in (80, 50):
        text = to_text(reply_view(answered()), width)
        assert "**" not in text and "*related" not in text and "*every*" not in text
        assert "what the therapy is for" in text and "• School OT" in text
        assert max(len(line) for line in text.splitlines()) <= width


def test_school_and_clinic_side_by_side_when_wide_stacked_when_narrow() -> None:
    wide = to_text(reply_view(answered()), 80)
    assert re.search(r"^At school +In the clinic", wide, re.M)
    narrow = to_text(reply_view(answered()), 50)
    assert re.search(r"^At school\s*$", narrow, re.M) and re.search(r"^In the clinic\s*$", narrow, re.M)


def test_sources_take_one_short_line_each_and_notes_are_labelled() -> None:
    text = to_text(reply_view(answered()), 80)
    lines = text.splitlines()
    sources = lines[lines.index("Sources") + 1:][:2]
    assert sources[0].endswith("— 34 CFR §300.34") and "…" in sources[0]
    assert sources[1].rstrip().endswith("example.org")
    assert "For teachers: Note what you see in class." in text and "For OTs: Tie goals to participation." in text


def test_family_note_once_and_only_when_set_and_the_disclaimer_once() -> None:
    note = "Bring this to your child's IEP or 504 team."
    with_note = to_text(reply_view(answered(family_note=note)), 80)
    assert with_note.count(note) == 1 and with_note.count(DISCLAIMER) == 1
    assert note not in to_text(reply_view(answered()), 80)


def test_also_asked_is_numbered_first_and_a_number_opens_it() -> None:
    reply = answered(also_asked=(OTHER,))
    text = to_text(reply_view(reply), 80)
    assert re.search(r"You also asked about:\n +1\. Who decides.*who-decides", text)
    assert re.search(r"Related \(type a number\):\n +2\. What are present levels\?.*present-levels", text)
    assert choices_of(reply) == [OTHER, RELATED]


def test_confidence_and_id_only_when_verbose() -> None:
    assert "confidence" not in to_text(reply_view(answered()), 80)
    assert "confidence 0.90, entry school-vs-clinic-ot" in to_text(reply_view(answered(), verbose=True), 80)


def test_declines_offer_numbered_suggestions_and_no_moderator() -> None:
    reply = Reply("q", Outcome.UNSURE, 0.3, suggestions=(OTHER, RELATED), decline_message="Did you mean?")
    text = to_text(reply_view(reply), 80)
    assert "1. Who decides" in text and "who-decides" in text and "2. What are present levels?" in text
    discord_advice = "I don't have an answer. If you think it belongs in the FAQ, ask a moderator, who can add it."
    assert terminal_decline(discord_advice) == ("I don't have an answer. To add your own answer on this computer, "
                                                "run: otbot faq add")
    assert terminal_decline("I can't help with medicine doses.") == "I can't help with medicine doses."


def test_explanations_name_options_by_the_label_the_player_saw() -> None:
    options = (ScenarioOption("school", "School-based OT services"), ScenarioOption("clinic", "Outpatient OT"))
    scenario = Scenario("s", "t", "Grade 1", "class", "sensory", 1, "v", "q?", options, "school", "e")
    assert with_labels('"Clinic" earns partial credit.', scenario) == "B (“Outpatient OT”) earns partial credit."
