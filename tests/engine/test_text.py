from __future__ import annotations

from bot.engine.messages import asks_about_own_child, question_parts
from bot.engine.text import MAX_QUESTION_CHARS, clean


def test_clean_strips_invisible_characters_and_mentions() -> None:
    assert clean("ot\u200b at\u200d sch\ufeffool") == "ot at school"
    assert clean("@everyone hi <@&123> <@!45> <#9> <:wave:77>") == "hi"
    assert len(clean("a " * 100_000)) <= MAX_QUESTION_CHARS


def test_a_story_then_two_questions_gives_the_two_questions() -> None:
    message = ("My son is in 2nd grade and has a 504 plan. His teacher says his handwriting is slow.\n"
               "Can the school add OT to his 504? And also, does insurance cover clinic OT for handwriting?")
    assert question_parts(message) == ["Can the school add OT to his 504?",
                                       "does insurance cover clinic OT for handwriting?"]


def test_a_single_sentence_is_its_own_question() -> None:
    assert question_parts("what is the difference between school ot and clinic ot") == []


def test_a_parent_asking_about_their_own_child_is_told_apart_from_a_professional() -> None:
    assert asks_about_own_child("my son has an IEP, can he get OT?")
    assert asks_about_own_child("ds (7yo) was denied school OT, what now")
    assert not asks_about_own_child("as an OT, how do I write goals for my student")
    assert not asks_about_own_child("I'm a teacher and my son's classmate needs OT, how do I refer?")
    assert not asks_about_own_child("one of the kids on my caseload needs a slant board, my daughter too lol")
    assert not asks_about_own_child("what is an IEP")
