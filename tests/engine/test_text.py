from __future__ import annotations

from bot.engine.text import MAX_QUESTION_CHARS, Lexicon, clean, stem


def test_clean_strips_invisible_characters_and_mentions() -> None:
    assert clean("ot\u200b at\u200d sch\ufeffool") == "ot at school"
    assert clean("@everyone hi <@&123> <@!45> <#9> <:wave:77>") == "hi"
    assert len(clean("a " * 100_000)) <= MAX_QUESTION_CHARS


def test_stem_meets_word_forms_halfway() -> None:
    assert stem("evaluations") == stem("evaluation") == stem("evaluate") == stem("evaluating")
    assert stem("typing") == stem("type") == stem("typed")
    assert stem("different") == stem("difference")
    assert stem("shoes") == stem("shoe")
    assert stem("tying") == stem("tie")
    assert stem("504") == "504"


def test_synonyms_map_phrases_to_one_term() -> None:
    lexicon = Lexicon([["ot", "occupational therapy"], ["child", "kiddo", "son"]])
    assert lexicon.terms("Occupational Therapy for my kiddo") == ["=ot", "=child"]
    assert lexicon.terms("the OT and my son") == ["=ot", "=child"]
    assert lexicon.terms("kiddos") == ["=child"]  # the synonyms are stemmed too


def test_typos_are_corrected_toward_known_terms() -> None:
    lexicon = Lexicon([["ot", "occupational therapy"]])
    lexicon.learn({"handwriting": 5, "evaluate": 3})
    assert lexicon.terms("occupatinal therapy for handwritting") == ["=ot", "handwrit"]
    assert lexicon.terms("evalaute") == ["evalu"]  # a swap of two letters
    assert lexicon.terms("zzzzzz") == ["zzzzzz"]  # nothing near: left alone


def test_capitalised_acronyms_are_told_apart_from_everyday_words() -> None:
    from bot.engine.text import words

    assert words("is a slant board AT?") == ["is", "a", "slant", "board", "assistive", "technology"]
    assert words("look at the ADD plan, then add notes") == [
        "look", "at", "the", "attention", "deficit", "disorder", "plan", "then", "add", "notes"]
