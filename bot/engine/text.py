"""Text to search terms: clean hostile input, stem, fix typos, map synonyms to one canonical term."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

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
yes im ive id dont doesnt cant wont isnt whats hes shes theyre thats
""".split())


def clean(text: str) -> str:
    """Printable, bounded text: no zero-width tricks, no Discord mentions, at most MAX_QUESTION_CHARS."""
    text = text[: MAX_QUESTION_CHARS * 2]
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _DISCORD_MARKUP.sub(" ", text)
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return " ".join(text.split())[:MAX_QUESTION_CHARS]


def words(text: str) -> list[str]:
    """Lowercase word tokens; apostrophes join ("don't" -> "dont")."""
    text = text.lower().replace("'", "").replace("’", "")
    return _WORD.findall(text)


def stem(word: str) -> str:
    """A light suffix stripper: enough to meet plural and -ing/-ed forms halfway, no more."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ying") and len(word) == 5:  # tying, dying
        return word[:-4] + "ie"
    for suffix in ("ations", "ation"):
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            return word[: -len(suffix)] + "at"
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) >= 6:
        word = word[:-3]
    elif word.endswith("ed") and len(word) >= 5 and not word.endswith("eed"):
        word = word[:-2]
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # stopp -> stop
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class Lexicon:
    """Synonym phrases and typo correction over a known vocabulary."""

    def __init__(self, synonym_groups: Iterable[Iterable[str]] = ()) -> None:
        self.phrases: dict[tuple[str, ...], str] = {}
        self.max_phrase = 1
        self.known: set[str] = set(STOPWORDS)
        for group in synonym_groups:
            group = list(group)
            canonical = "_".join(stem(w) for w in words(group[0]))
            for term in group:
                key = tuple(stem(w) for w in words(term))
                if key:
                    self.phrases[key] = canonical
                    self.max_phrase = max(self.max_phrase, len(key))
                    self.known.update(key)
        self._frequency: dict[str, int] = {}
        self._by_delete: dict[str, set[str]] = {}
        self._corrections: dict[str, str | None] = {}

    def learn(self, term_frequency: dict[str, int]) -> None:
        """Add the index vocabulary (stemmed terms) so typos can be corrected toward it."""
        self._frequency = dict(term_frequency)
        vocabulary = set(term_frequency) | self.known
        self.known = vocabulary
        self._by_delete = {}
        for term in vocabulary:
            if len(term) >= 4 and "_" not in term and not term.isdigit():
                self._by_delete.setdefault(term, set()).add(term)
                for variant in _deletes(term):
                    self._by_delete.setdefault(variant, set()).add(term)
        self._corrections = {}

    def correct(self, word: str) -> str | None:
        """The known term one edit away (transpositions included), the most common first; None if none."""
        if word in self._corrections:
            return self._corrections[word]
        best: str | None = None
        if len(word) >= 5 and not word.isdigit():
            candidates: set[str] = set(self._by_delete.get(word, ()))
            for variant in _deletes(word):
                candidates |= self._by_delete.get(variant, set())
            candidates = {c for c in candidates if _within_one_edit(word, c)}
            if candidates:
                best = max(candidates, key=lambda c: (self._frequency.get(c, 0), c))
        if len(self._corrections) < 50_000:
            self._corrections[word] = best
        return best

    def terms(self, text: str, *, fix_typos: bool = True) -> list[str]:
        """Search terms of `text`, in order: stemmed, typo-fixed, phrases mapped, stopwords dropped."""
        raw = words(text)
        tokens = [stem(w) for w in raw]
        if fix_typos and self._by_delete:
            tokens = [t if t in self.known or w in STOPWORDS else (self.correct(t) or t) for w, t in zip(raw, tokens)]
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self.max_phrase, len(tokens) - i), 0, -1):
                canonical = self.phrases.get(tuple(tokens[i:i + size]))
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
