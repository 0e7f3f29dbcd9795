"""Text to search terms: clean hostile input, stem, fix typos, map synonyms to one canonical term."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from .stemmer import porter

MAX_QUESTION_CHARS = 2000  # a long story is fine; 100 KB of paste is cut, not choked on

_INVISIBLE = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                        r"\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]")
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#|a?:\w+:)\d+>|@everyone|@here")
_WORD = re.compile(r"[a-z0-9]+")

STOPWORDS = frozenset("""
a about above after again against all am an and any are aren as at be because been before being below between
both but by can cannot could couldn did didn do does doesn doing don down during each few for from further had
has have having he her here hers herself him himself his how i if in into is isn it its itself just let me
more most my myself no nor not now of off on once only or other our ours out over own same she should so some
such than that the their theirs them themselves then there these they this those through to too under until up
very was wasn we were what when where which while who whom why will with won would you your yours yourself hi
hello hey thanks thank please pls plz ok okay so um uh like really just also get got gets getting know want
wondering anyone someone anybody wonder question questions help tell explain mean means lol tho thx ya yeah
yes im ive id dont doesnt cant wont isnt whats hes shes theyre thats actually basically literally honestly
say says said saying think thought stuff thing things way even still yet anything something everything
nothing somebody kinda sorta lot bit maybe probably already today go goes going gone come comes came ppl
people guys folks anyone everyone exactly totally pretty super much many youre youve youll ur u till til
notion best good great nice better worse near nearby fun cool awesome favorite favourite
""".split())


def clean(text: str) -> str:
    """Printable, bounded text: no zero-width tricks, no Discord mentions, at most MAX_QUESTION_CHARS."""
    text = text[: MAX_QUESTION_CHARS * 2]
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _DISCORD_MARKUP.sub(" ", text)
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return " ".join(text.split())[:MAX_QUESTION_CHARS]


# Acronyms that are also everyday words, told apart by their capitals before everything is lowercased.
_ACRONYMS = {"AT": "assistive technology", "ADD": "attention deficit disorder"}
_ACRONYM = re.compile(r"\b(?:" + "|".join(_ACRONYMS) + r")\b")


def words(text: str) -> list[str]:
    """Lowercase word tokens; apostrophes join ("don't" -> "dont"); "AT" is assistive technology, "at" is not."""
    text = _ACRONYM.sub(lambda m: _ACRONYMS[m.group()], text)
    text = text.lower().replace("'", "").replace("’", "")
    return _WORD.findall(text)


_IRREGULAR = {"tying": "tie", "untying": "untie", "dying": "die", "lying": "lie"}


def stem(word: str) -> str:
    """Porter stem, with a few irregular forms Porter leaves apart ("tying" vs "tie")."""
    if word.isdigit():
        return word
    return porter(_IRREGULAR.get(word, word))


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class Lexicon:
    """Synonym phrases and typo correction. Typos are fixed on whole words, before stemming, because a
    misspelling often breaks the suffix the stemmer looks for ("occupatinal")."""

    def __init__(self, synonym_groups: Iterable[Iterable[str]] = ()) -> None:
        self.phrases: dict[tuple[str, ...], str] = {}  # stemmed words -> canonical term
        self.exact: dict[tuple[str, ...], str] = {}  # words as written win: "ideas" is not the law IDEA
        self.max_phrase = 1
        self.known_words: set[str] = set(STOPWORDS)
        for group in synonym_groups:
            group = list(group)
            # "=" cannot collide with a stemmed word; a group headed by a stopword is dropped like one
            canonical = "" if group[0] in STOPWORDS else "=" + "_".join(words(group[0]))
            for term in group:
                raw = words(term)
                key = tuple(stem(w) for w in raw)
                if key:
                    self.phrases.setdefault(key, canonical)
                    self.exact[tuple(raw)] = canonical
                    self.max_phrase = max(self.max_phrase, len(key))
                    self.known_words.update(raw)
        self._frequency: dict[str, int] = {}
        self._by_delete: dict[str, str | set[str]] = {}
        self._corrections: dict[str, str | None] = {}

    def learn(self, word_frequency: dict[str, int]) -> None:
        """Add the words of the indexed text so typos can be corrected toward them. Only words used at
        least twice are targets: a typo is far likelier to be of a common word, and rare ones would fill
        the index (every word of length n adds n variants)."""
        self._frequency = dict(word_frequency)
        self.known_words |= set(word_frequency)
        targets = {w for w, n in word_frequency.items() if n >= 2} | (self.known_words - set(word_frequency))
        targets -= STOPWORDS  # "fever" must not become "never"
        self._by_delete = {}
        for word in targets:
            if len(word) >= 4 and not word.isdigit():
                for variant in (word, *_deletes(word)):
                    found = self._by_delete.get(variant)
                    if found is None:
                        self._by_delete[variant] = word  # most variants lead to one word: no set needed
                    elif isinstance(found, str):
                        if found != word:
                            self._by_delete[variant] = {found, word}
                    else:
                        found.add(word)
        self._corrections = {}

    def _near(self, variant: str) -> set[str]:
        found = self._by_delete.get(variant)
        if found is None:
            return set()
        return {found} if isinstance(found, str) else found

    def correct(self, word: str) -> str | None:
        """The known word one edit away (transpositions included), the most common first; None if none."""
        if word in self._corrections:
            return self._corrections[word]
        best: str | None = None
        if len(word) >= 5 and not word.isdigit():
            candidates = set(self._near(word))
            for variant in _deletes(word):
                candidates |= self._near(variant)
            candidates = {c for c in candidates if _within_one_edit(word, c)}
            if candidates:
                best = max(candidates, key=lambda c: (self._frequency.get(c, 0), c))
        if len(self._corrections) < 50_000:
            self._corrections[word] = best
        return best

    def terms(self, text: str, *, fix_typos: bool = True) -> list[str]:
        """Search terms of `text`, in order: typo-fixed, stemmed, phrases mapped, stopwords dropped."""
        raw = words(text)
        if fix_typos and self._by_delete:
            raw = [w if w in self.known_words else (self.correct(w) or w) for w in raw]
        tokens = [stem(w) for w in raw]
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self.max_phrase, len(tokens) - i), 0, -1):
                canonical = self.exact.get(tuple(raw[i:i + size]))
                if canonical is None:
                    canonical = self.phrases.get(tuple(tokens[i:i + size]))
                if canonical is not None:
                    if canonical:
                        out.append(canonical)
                    i += size
                    break
            else:
                if raw[i] not in STOPWORDS:  # judged on the word as written: "does" stems to "doe"
                    out.append(tokens[i])
                i += 1
        return out


def _within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance <= 1, or one swap of neighbouring letters."""
    if a == b:
        return True
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))
