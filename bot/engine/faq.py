"""Moderator changes to a community's FAQ: add, edit, remove, restore, import. Every change is recorded."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from . import safe_yaml
from .answers import Answerer
from .content import entries_to_yaml, parse_entry
from .errors import NotFound, UserError
from .models import Entry, Origin
from .store import EntryStatus, HistoryRow, Store

MAX_IMPORT_ENTRIES = 500
# Parsing and validating an import runs in a worker thread, so members' questions are still answered meanwhile;
# past this many seconds the moderator is told the file is too big or too tangled. 500 curated entries as one
# export (1.6 MB, over the 1 MB upload limit) took 1.4 s on the 2-core dev machine under load; the limit
# leaves room for a busier one.
IMPORT_SECONDS = 5.0


@dataclass
class ImportPlan:
    """What an import would do; nothing is written until `apply_import` gets the same plan back."""

    added: list[Entry] = field(default_factory=list)
    updated: list[Entry] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{len(self.added)} new, {len(self.updated)} changed, {len(self.unchanged)} unchanged"]
        if self.problems:
            lines.append(f"{len(self.problems)} problem(s), nothing will be imported until they are fixed:")
            lines += [f"- {p}" for p in self.problems[:15]]
        return "\n".join(lines)


def slug(text: str, limit: int = 6) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())[:limit]
    return "-".join(words) or "entry"


def _content(entry: Entry) -> dict[str, Any]:
    """What a moderator wrote, without the id and review date: equal for a resubmitted form."""
    data = entry.as_dict()
    data.pop("id", None)
    data.pop("reviewed", None)
    return data


class FaqEditor:
    """Add, edit, remove, restore, import and export one community's entries. Saving the same content twice (a
    form resubmitted after Discord lost the first acknowledgement) writes once."""

    def __init__(self, answerer: Answerer, store: Store) -> None:
        self.answerer = answerer
        self.store = store

    def _validate(self, raw: dict[str, Any], known_ids: set[str]) -> Entry:
        raw = dict(raw)
        raw.setdefault("reviewed", dt.date.today().isoformat())
        entry, problems = parse_entry(raw, Origin.COMMUNITY)
        if entry is None:
            raise UserError("That entry can't be saved:\n" + "\n".join(f"- {m}" for _, m in problems))
        missing = [r for r in entry.related if r not in known_ids]
        if missing:
            raise UserError(f"Related id(s) not found: {', '.join(missing)}")
        return entry

    async def add(self, community: int, raw: dict[str, Any], actor: str) -> Entry:
        """A new community entry. Without an id, one is made from the question. When this community already has
        an entry with exactly this content (the same form sent twice), that entry is returned and nothing is saved."""
        entries = await self.answerer.entries(community)
        raw = dict(raw)
        given_id = raw.get("id")
        if not given_id:
            base = slug(str(raw.get("question") or ""))
            candidate, n = base, 2
            while candidate in entries or await self.store.faq_row(community, candidate):
                candidate, n = f"{base}-{n}", n + 1
            raw["id"] = candidate
        entry = self._validate(raw, set(entries))
        same = next((e for e in entries.values() if e.origin is Origin.COMMUNITY and _content(e) == _content(entry)
                     and (not given_id or e.id == given_id)), None)
        if same is not None:
            return same
        if given_id in entries:
            raise UserError(f"An entry with id '{given_id}' already exists; edit it instead.")
        await self.store.change_faq(community, entry.id, status=EntryStatus.ACTIVE, data=entry.as_dict(),
                                    action="add", actor=actor, before=None)
        self.answerer.invalidate(community)
        return entry

    async def edit(self, community: int, entry_id: str, raw: dict[str, Any], actor: str,
                   expected_version: int | None = None) -> Entry:
        """Change an entry. Editing a curated entry stores an override for this community only. Saving the text
        the entry already has writes nothing (so a resubmitted form is not refused as a concurrent edit)."""
        before = await self.require(community, entry_id)
        entries = await self.answerer.entries(community)
        entry = self._validate({**raw, "id": entry_id}, set(entries))
        if _content(entry) == _content(before):
            return before
        await self.store.change_faq(community, entry_id, status=EntryStatus.ACTIVE, data=entry.as_dict(),
                                    action="edit",
                                    actor=actor, before=before.as_dict(), expected_version=expected_version)
        self.answerer.invalidate(community)
        return entry

    async def add_phrasing(self, community: int, entry_id: str, phrasing: str, actor: str) -> Entry:
        entry = await self.require(community, entry_id)
        data = entry.as_dict()
        if phrasing.strip() in entry.alternates:
            return entry
        data["alternates"] = [*entry.alternates, phrasing.strip()]
        return await self.edit(community, entry_id, data, actor)

    async def remove(self, community: int, entry_id: str, actor: str) -> str:
        """Community entry: removed. Override: back to the curated text. Curated: hidden here."""
        entry = await self.require(community, entry_id)
        row = await self.store.faq_row(community, entry_id)
        curated = entry_id in self.answerer.curated
        if row and row.status is EntryStatus.ACTIVE and curated:
            status, action = EntryStatus.REMOVED, "revert"
            result = "The local changes were removed; the curated text is back."
        elif curated:
            status, action, result = EntryStatus.HIDDEN, "hide", "The curated entry is now hidden in this server."
        else:
            status, action, result = EntryStatus.REMOVED, "remove", "The entry was removed."
        await self.store.change_faq(community, entry_id, status=status, data=None, action=action, actor=actor,
                                    before=entry.as_dict())
        self.answerer.invalidate(community)
        return result

    async def restore(self, community: int, entry_id: str, version: int, actor: str) -> Entry:
        """Bring back the text an entry had at `version` (as a new version: history is never rewritten)."""
        history = await self.store.history(community, entry_id)
        target = next((h for h in history if h.version == version), None)
        if target is None:
            raise NotFound(f"'{entry_id}' has no version {version}. Versions: "
                           f"{', '.join(str(h.version) for h in history) or 'none'}.")
        data = target.after or target.before
        if data is None:
            raise UserError(f"Version {version} of '{entry_id}' holds no text to restore.")
        before = await self.answerer.get(entry_id, community)
        entry = self._validate(data, set(await self.answerer.entries(community)))
        await self.store.change_faq(community, entry_id, status=EntryStatus.ACTIVE, data=entry.as_dict(),
                                    action=f"restore v{version}", actor=actor,
                                    before=before.as_dict() if before else None)
        self.answerer.invalidate(community)
        return entry

    async def require(self, community: int, entry_id: str) -> Entry:
        entry = await self.answerer.get(entry_id, community)
        if entry is None:
            raise NotFound(f"No entry '{entry_id}' here. Try `/faq list` to see the ids.")
        return entry

    async def version(self, community: int, entry_id: str) -> int:
        """The entry's current version here (0: the curated text, never changed): pass it back to `edit`."""
        row = await self.store.faq_row(community, entry_id)
        return row.version if row else 0

    async def history(self, community: int, entry_id: str) -> list[HistoryRow]:
        rows = await self.store.history(community, entry_id)
        if not rows and entry_id not in self.answerer.curated:
            raise NotFound(f"No entry '{entry_id}' here.")
        return rows

    async def list(self, community: int, tag: str | None = None) -> list[Entry]:
        entries = sorted((await self.answerer.entries(community)).values(), key=lambda e: e.id)
        if tag:
            entries = [e for e in entries if tag.lower() in e.tags]
        return entries

    async def export(self, community: int) -> str:
        """This community's own entries and overrides, in the knowledge/ file format."""
        rows = [r for r in await self.store.faq_rows(community) if r.status is EntryStatus.ACTIVE]
        entries = [e for r in rows if (e := parse_entry(r.data, Origin.COMMUNITY)[0]) is not None]
        if not entries:
            raise UserError("This server has no entries of its own to export yet.")
        return entries_to_yaml(entries)

    async def plan_import(self, community: int, text: str) -> ImportPlan:
        """A dry run of an import, parsed and validated in a worker thread within IMPORT_SECONDS."""
        existing = await self.answerer.entries(community)
        try:
            return await asyncio.wait_for(asyncio.to_thread(plan_import, text, existing), IMPORT_SECONDS)
        except TimeoutError:
            raise UserError(f"That file took more than {IMPORT_SECONDS:.0f} seconds to read; split it into "
                            "smaller files, or export it again from otbot.") from None

    async def apply_import(self, community: int, plan: ImportPlan, actor: str) -> int:
        if plan.problems:
            raise UserError("The import has problems; fix them and try again.")
        current = await self.answerer.entries(community)
        changed = 0
        for entry in [*plan.added, *plan.updated]:
            before = current.get(entry.id)
            if before is not None and before.as_dict() == entry.as_dict():
                continue  # the same import confirmed twice: already there
            await self.store.change_faq(community, entry.id, status=EntryStatus.ACTIVE, data=entry.as_dict(),
                                        action="import", actor=actor, before=before.as_dict() if before else None)
            changed += 1
        self.answerer.invalidate(community)
        return changed


def plan_import(text: str, existing: dict[str, Entry]) -> ImportPlan:
    """What importing `text` (a YAML list of entries) into a community with `existing` entries would do."""
    plan = ImportPlan()
    try:
        data, _ = safe_yaml.load(text)
    except safe_yaml.YamlProblem as exc:
        plan.problems.append(f"line {exc.line}: {exc.message}" if exc.line else exc.message)
        return plan
    if not isinstance(data, list) or not data:
        plan.problems.append("the file must be a YAML list of entries, like an export")
        return plan
    if len(data) > MAX_IMPORT_ENTRIES:
        plan.problems.append(f"at most {MAX_IMPORT_ENTRIES} entries per import")
        return plan
    incoming_ids = {str(item.get("id")) for item in data if isinstance(item, dict)}
    for number, raw in enumerate(data, 1):
        if isinstance(raw, dict):
            raw = {**raw, "reviewed": raw.get("reviewed") or dt.date.today().isoformat()}
        entry, problems = parse_entry(raw, Origin.COMMUNITY)
        if entry is None:
            plan.problems += [f"entry {number}: {m}" for _, m in problems]
            continue
        missing = [r for r in entry.related if r not in existing and r not in incoming_ids]
        if missing:
            plan.problems.append(f"entry {number} ('{entry.id}'): related id(s) not found: {', '.join(missing)}")
        current = existing.get(entry.id)
        if current is None:
            plan.added.append(entry)
        elif current.as_dict() == entry.as_dict():
            plan.unchanged.append(entry.id)
        else:
            plan.updated.append(entry)
    return plan
