"""Discord's documented size limits, checked on every message-bearing request like Discord does (400, 50035)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .payloads import JSON

CONTENT = 2000
EMBEDS = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_AUTHOR = 256
EMBED_TOTAL = 6000
ACTION_ROWS = 5
ROW_BUTTONS = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100
MODAL_TITLE = 45
TEXT_INPUT_LABEL = 45
TEXT_INPUT_VALUE = 4000
CHOICES = 25
CHOICE_NAME = 100

# Routes whose JSON body is a message (create or edit), relative to /api/v10.
_MESSAGE_ROUTES = (
    ("POST", re.compile(r"/channels/\d+/messages")),
    ("PATCH", re.compile(r"/channels/\d+/messages/\d+")),
    ("POST", re.compile(r"/webhooks/\d+/[^/]+")),
    ("PATCH", re.compile(r"/webhooks/\d+/[^/]+/messages/(@original|\d+)")),
)
_CALLBACK = re.compile(r"/interactions/\d+/[^/]+/callback")


def _too_long(problems: list[str], where: str, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems.append(f"{where}: must be {limit} or fewer in length (got {len(value)})")


def embed_problems(embeds: Iterable[JSON], where: str = "embeds") -> list[str]:
    """Per-embed limits, and the 6000-character total, which Discord counts over all embeds of a message."""
    problems: list[str] = []
    embeds = list(embeds)
    if len(embeds) > EMBEDS:
        problems.append(f"{where}: at most {EMBEDS} embeds")
    grand_total = 0
    for i, embed in enumerate(embeds):
        at = f"{where}.{i}"
        title, description = embed.get("title") or "", embed.get("description") or ""
        footer = (embed.get("footer") or {}).get("text") or ""
        author = (embed.get("author") or {}).get("name") or ""
        fields = embed.get("fields") or []
        _too_long(problems, f"{at}.title", title, EMBED_TITLE)
        _too_long(problems, f"{at}.description", description, EMBED_DESCRIPTION)
        _too_long(problems, f"{at}.footer.text", footer, EMBED_FOOTER)
        _too_long(problems, f"{at}.author.name", author, EMBED_AUTHOR)
        if len(fields) > EMBED_FIELDS:
            problems.append(f"{at}.fields: at most {EMBED_FIELDS} fields")
        total = len(title) + len(description) + len(footer) + len(author)
        for j, field in enumerate(fields):
            name, value = field.get("name") or "", field.get("value") or ""
            if not name or not value:
                problems.append(f"{at}.fields.{j}: name and value are required")
            _too_long(problems, f"{at}.fields.{j}.name", name, EMBED_FIELD_NAME)
            _too_long(problems, f"{at}.fields.{j}.value", value, EMBED_FIELD_VALUE)
            total += len(name) + len(value)
        grand_total += total
    if grand_total > EMBED_TOTAL:
        problems.append(f"{where}: embed size exceeds maximum size of {EMBED_TOTAL} (got {grand_total})")
    return problems


def component_problems(rows: Iterable[JSON], where: str = "components") -> list[str]:
    problems: list[str] = []
    rows = list(rows)
    if len(rows) > ACTION_ROWS:
        problems.append(f"{where}: at most {ACTION_ROWS} action rows")
    for i, row in enumerate(rows):
        children = row.get("components") or []
        if row.get("type") == 1 and len(children) > ROW_BUTTONS:
            problems.append(f"{where}.{i}: at most {ROW_BUTTONS} components per row")
        for j, comp in enumerate(children):
            at = f"{where}.{i}.components.{j}"
            _too_long(problems, f"{at}.label", comp.get("label"), BUTTON_LABEL)
            _too_long(problems, f"{at}.custom_id", comp.get("custom_id"), CUSTOM_ID)
    return problems


def message_problems(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return []
    problems: list[str] = []
    _too_long(problems, "content", body.get("content"), CONTENT)
    problems += embed_problems(body.get("embeds") or [])
    problems += component_problems(body.get("components") or [])
    return problems


def modal_problems(data: JSON) -> list[str]:
    problems: list[str] = []
    _too_long(problems, "data.title", data.get("title"), MODAL_TITLE)
    _too_long(problems, "data.custom_id", data.get("custom_id"), CUSTOM_ID)
    for i, row in enumerate(data.get("components") or []):
        for j, comp in enumerate(row.get("components") or ([row["component"]] if "component" in row else [])):
            at = f"data.components.{i}.components.{j}"
            _too_long(problems, f"{at}.label", comp.get("label"), TEXT_INPUT_LABEL)
            _too_long(problems, f"{at}.value", comp.get("value"), TEXT_INPUT_VALUE)
            if comp.get("max_length") is not None:  # a pre-filled value longer than allowed is refused too
                _too_long(problems, f"{at}.value", comp.get("value"), int(comp["max_length"]))
            _too_long(problems, f"{at}.custom_id", comp.get("custom_id"), CUSTOM_ID)
    return problems


def error_tree(problems: list[str]) -> JSON:
    """Discord's nested 'errors' object for problems like "embeds.0.title: message" (what discord.py parses)."""
    tree: JSON = {}
    for problem in problems:
        path, _, message = problem.partition(": ")
        node = tree
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": "BASE_TYPE_MAX_LENGTH", "message": message})
    return tree


def message_routes(method: str, path: str, body: JSON) -> JSON | None:
    """The message a request posts or edits (a channel message, webhook, or interaction response), else None."""
    if any(method == m and rx.fullmatch(path) for m, rx in _MESSAGE_ROUTES):
        return body
    if method == "POST" and _CALLBACK.fullmatch(path) and body.get("type") in (4, 7):
        return body.get("data") or {}
    return None


def request_problems(method: str, path: str, body: Any) -> list[str]:
    """What Discord would reject in this request's body (empty when it is fine or not a message route)."""
    if any(method == m and rx.fullmatch(path) for m, rx in _MESSAGE_ROUTES):
        return message_problems(body)
    if method == "POST" and _CALLBACK.fullmatch(path) and isinstance(body, dict):
        kind, data = body.get("type"), body.get("data") or {}
        if kind in (4, 7):
            return message_problems(data)
        if kind == 9:
            return modal_problems(data)
        if kind == 8:
            choices = data.get("choices") or []
            problems = [f"data.choices: at most {CHOICES}"] if len(choices) > CHOICES else []
            for i, choice in enumerate(choices):
                _too_long(problems, f"data.choices.{i}.name", choice.get("name"), CHOICE_NAME)
            return problems
    return []
