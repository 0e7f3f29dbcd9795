"""The shape of a knowledge entry and of a scenario, declared once (pydantic), with our own error wording.

pydantic checks types, limits, allowed keys and allowed values, and reports every problem at once; `problems`
turns its errors into the (key, message) pairs that content.py places on a file's lines. Rules that depend on
where an entry comes from (curated files are stricter than moderators' entries) or on several fields at once
stay in content.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from .models import AUDIENCES, CATEGORIES, FACTORS, MAX_ANSWER_CHARS, MAX_NOTE_CHARS, MAX_SIDE_CHARS
from .yaml_fields import ID_PATTERN, mirror_host, unwrap

MAX_TITLE_CHARS = 80
MAX_VIGNETTE_CHARS = 900
MAX_EXPLANATION_CHARS = 1000
MAX_WHY_NOT_CHARS = 300
MAX_OPTION_LABEL_CHARS = 80


def _fail(kind: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, kind, context)


def _text(value: Any) -> str | None:
    """Text as authors write it: numbers are text too, hard wraps are joined, blank is absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail("not_text")
    text = unwrap(str(value))
    return text or None


def _limited(limit: int, *, required: bool) -> BeforeValidator:
    """Text of at most `limit` characters (after joining hard wraps); blank counts as absent."""
    def check(value: Any) -> str | None:
        text = _text(value)
        if text is None and required:
            raise _fail("missing")
        if text is not None and len(text) > limit:
            raise _fail("text_too_long", length=len(text), limit=limit)
        return text
    return BeforeValidator(check)


def _text_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise _fail("not_text_list")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _lowercase_list(value: Any) -> tuple[str, ...]:
    return tuple(v.lower() for v in _text_list(value))


def _entry_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail("missing")
    if not ID_PATTERN.match(value):
        raise _fail("bad_id", value=value)
    return value


def _date(value: Any) -> str | None:
    if value is None or isinstance(value, dt.date):
        return value.isoformat() if value else None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _fail("bad_date", value=str(value)) from None


def _sources(value: Any) -> list[Any]:
    if not value:
        raise _fail("no_source")
    items = value if isinstance(value, list) else [value]
    # A bare string is accepted from moderators: a URL or a citation.
    return [({"title": v.strip(), "url": v.strip()} if v.strip().startswith(("http://", "https://"))
             else {"title": v.strip(), "cite": v.strip()}) if isinstance(v, str) else v for v in items]


def _limited_text(limit: int = 100_000, *, required: bool = True) -> Any:
    return Annotated[str if required else str | None, _limited(limit, required=required)]


Text = _limited_text()
OptionalText = _limited_text(required=False)
TextList = Annotated[tuple[str, ...], BeforeValidator(_text_list)]
LowerList = Annotated[tuple[str, ...], BeforeValidator(_lowercase_list)]
Id = Annotated[str, BeforeValidator(_entry_id)]
Date = Annotated[str | None, BeforeValidator(_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRecord(_Strict):
    title: Text
    url: OptionalText = None
    cite: OptionalText = None

    @model_validator(mode="after")
    def linked_to_an_original(self) -> SourceRecord:
        if not self.url and not self.cite:
            raise _fail("source_unlinked", title=self.title)
        if self.url and (host := mirror_host(self.url)):
            raise _fail("mirror", title=self.title, host=host)
        return self


Sources = Annotated[tuple[SourceRecord, ...], BeforeValidator(_sources), Field(validate_default=True)]


class EntryRecord(_Strict):
    id: Id
    question: Text
    answer: _limited_text(MAX_ANSWER_CHARS)  # type: ignore[valid-type]
    alternates: TextList = ()
    school: _limited_text(MAX_SIDE_CHARS, required=False) = None  # type: ignore[valid-type]
    medical: _limited_text(MAX_SIDE_CHARS, required=False) = None  # type: ignore[valid-type]
    tags: LowerList = ()
    related: TextList = ()
    sources: Sources = None  # type: ignore[assignment]  # validated even when absent: "missing source"
    reviewed: Date = None
    audiences: Annotated[tuple[Literal[AUDIENCES], ...], BeforeValidator(_lowercase_list)] = ()  # type: ignore[valid-type]
    for_teachers: _limited_text(MAX_NOTE_CHARS, required=False) = None  # type: ignore[valid-type]
    for_ots: _limited_text(MAX_NOTE_CHARS, required=False) = None  # type: ignore[valid-type]


class ScenarioRecord(_Strict):
    id: Id
    title: _limited_text(MAX_TITLE_CHARS)  # type: ignore[valid-type]
    grade: OptionalText = None
    age: OptionalText = None
    setting: Text
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    difficulty: Literal[1, 2, 3]
    vignette: _limited_text(MAX_VIGNETTE_CHARS)  # type: ignore[valid-type]
    question: OptionalText = None
    options: dict[str, _limited_text(MAX_OPTION_LABEL_CHARS)] | None = None  # type: ignore[valid-type]
    answer: Text
    partial: TextList = ()
    explanation: _limited_text(MAX_EXPLANATION_CHARS)  # type: ignore[valid-type]
    why_not: dict[str, _limited_text(MAX_WHY_NOT_CHARS, required=False)] = {}  # type: ignore[valid-type]
    factors: Annotated[tuple[Literal[FACTORS], ...], BeforeValidator(_text_list)] = ()  # type: ignore[valid-type]
    sources: Sources = None  # type: ignore[assignment]


# What each kind of error says; `{key}` is the top-level field, the rest comes from the error's context.
MESSAGES = {
    "missing": "missing '{key}'",
    "no_source": "missing source: every item needs at least one entry under 'sources'",
    "extra_forbidden": "unknown key '{name}' (allowed: {allowed})",
    "not_text": "'{key}' must be text",
    "not_text_list": "'{key}' must be a list of text items",
    "text_too_long": "'{key}'{item} is too long ({length} characters, at most {limit})",
    "bad_id": "id '{value}' must be lowercase words joined by '-'",
    "bad_date": "'{key}' must be a date like 2026-11-26, not '{value}'",
    "source_unlinked": "source '{title}' needs a 'url' or a 'cite'",
    "mirror": "source '{title}' is on {host}, a copy or proxy: cite the original",
}
# A value outside a fixed vocabulary, named the way authors see it.
CHOICES = {
    "audiences": f"unknown audience '{{input}}' (allowed: {', '.join(AUDIENCES)})",
    "category": f"category '{{input}}' is not one of: {', '.join(CATEGORIES)}",
    "factors": f"factor '{{input}}' is not one of: {', '.join(FACTORS)}",
    "difficulty": "difficulty must be 1, 2 or 3, not '{input}'",
}


def problems(error: ValidationError, model: type[BaseModel]) -> list[tuple[str | None, str]]:
    """pydantic's errors as (top-level key, message) pairs in our wording."""
    out: list[tuple[str | None, str]] = []
    for item in error.errors(include_url=False):
        loc = item["loc"]
        key = str(loc[0]) if loc else None
        kind = item["type"]
        if kind == "missing" and key == "sources":
            kind = "no_source"
        context = {**item.get("ctx", {}), "key": key, "name": loc[-1] if loc else key,
                   "item": f" for '{loc[1]}'" if len(loc) > 1 and isinstance(loc[1], str) else ""}
        if kind == "extra_forbidden":
            context["allowed"] = ", ".join(sorted((SourceRecord if key == "sources" else model).model_fields))
        if kind in MESSAGES:
            out.append((key, MESSAGES[kind].format(**context)))
        elif kind == "literal_error" and key in CHOICES:
            out.append((key, CHOICES[key].format(input=item["input"])))
        else:
            out.append((key, f"'{key}': {item['msg'][0].lower()}{item['msg'][1:]}"))
    return out


def validate(model: type[BaseModel], raw: Any) -> tuple[Any, list[tuple[str | None, str]]]:
    """(the record, []) or (None, problems)."""
    try:
        return model.model_validate(raw), []
    except ValidationError as error:
        return None, problems(error, model)
