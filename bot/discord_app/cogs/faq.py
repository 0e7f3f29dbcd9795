"""FAQ moderation from Discord: modals to add and edit, history, restore, the missed queue, export, import."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import InteractionResponseType, app_commands
from discord.ext import commands

from ...engine.errors import UserError
from ...engine.faq import ImportPlan
from ...engine.lookup import closest_ids
from ...engine.models import Entry
from .. import custom_ids, limits
from ..buttons import PersistentButton
from ..delivery import acknowledge_with
from ..errors import GuardedModal, GuardedView
from ..permissions import require_guild, require_moderator
from ..render import entry_embed, entry_list_embed, page_bounds

if TYPE_CHECKING:
    from ..client import OtBot

MAX_IMPORT_BYTES = 1_000_000
AUTOCOMPLETE_CHOICES = 25  # Discord's maximum


async def open_modal(interaction: discord.Interaction[OtBot], modal: discord.ui.Modal) -> None:
    """A form is the acknowledgement itself: retried within Discord's 3 s when Discord answers 429 or 5xx."""
    await acknowledge_with(interaction, lambda: interaction.response.send_modal(modal), InteractionResponseType.modal)


def actor(interaction: discord.Interaction[OtBot]) -> str:
    return f"{interaction.user.name} ({interaction.user.id})"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _input(label: str, default: str | None, limit: int, **options: Any) -> discord.ui.TextInput[Any]:
    """A text input pre-filled with `default`. An existing text longer than the usual limit (an imported entry)
    raises the limit instead of being cut, so that saving the modal never silently drops part of it."""
    max_length = min(limits.TEXT_INPUT_VALUE, max(limit, len(default or "")))
    return discord.ui.TextInput(label=label, default=(default or "")[:max_length] or None, max_length=max_length,
                                **options)


class EntryModal(GuardedModal):
    """Question, Answer, Alternate phrasings, Tags, Sources: five inputs, Discord's maximum."""

    def __init__(self, *, entry: Entry | None = None, question: str = "", missed_id: int | None = None,
                 version: int | None = None) -> None:
        title = "Edit FAQ entry" if entry else "New FAQ entry"
        super().__init__(title=title, timeout=900)
        self.entry, self.missed_id = entry, missed_id
        self.version = version  # the entry's version when the form opened: a newer one means someone else saved
        self.question = _input("Question", entry.question if entry else question[:300], 300)
        self.answer = _input("Answer", entry.answer if entry else None, 1500, style=discord.TextStyle.paragraph)
        self.alternates = _input("Alternate phrasings (one per line)", "\n".join(entry.alternates) if entry else None,
                                 2000, style=discord.TextStyle.paragraph, required=False)
        self.tags = _input("Tags", ", ".join(entry.tags) if entry else None, 200, required=False,
                           placeholder="comma separated, e.g. iep, evaluation")
        cited = "\n".join(s.url or s.cite or s.title for s in entry.sources) if entry else None
        self.sources = _input("Sources", cited, 1000, style=discord.TextStyle.paragraph,
                              placeholder="one per line: a URL, or a citation such as 34 CFR §300.34")
        for item in (self.question, self.answer, self.alternates, self.tags, self.sources):
            self.add_item(item)

    def raw(self) -> dict[str, Any]:
        data: dict[str, Any] = self.entry.as_dict() if self.entry else {}
        data.update(question=self.question.value, answer=self.answer.value, alternates=_lines(self.alternates.value),
                    tags=[t.strip().lower() for t in self.tags.value.split(",") if t.strip()])
        # Keep structured sources (title + url/cite) when a moderator left the lines as they were.
        kept = {s.url or s.cite or s.title: s.as_dict() for s in self.entry.sources} if self.entry else {}
        data["sources"] = [kept.get(line, line) for line in _lines(self.sources.value)]
        return data

    async def on_submit(self, interaction: discord.Interaction[OtBot]) -> None:
        await require_moderator(interaction)
        guild = require_guild(interaction)
        engine = interaction.client.engine
        if self.entry:
            entry = await engine.faq.edit(guild, self.entry.id, self.raw(), actor(interaction),
                                          expected_version=self.version)
            verb = "Updated"
        elif self.missed_id is not None:
            entry = await engine.missed.make_entry(guild, self.missed_id, self.raw(), actor(interaction))
            verb = "Added"
        else:
            entry = await engine.faq.add(guild, self.raw(), actor(interaction))
            verb = "Added"
        await interaction.response.send_message(f"{verb} `{entry.id}`. It is answering questions now.",
                                                embed=entry_embed(entry), ephemeral=True)


class PhrasingModal(GuardedModal, title="Add as a phrasing of an entry"):
    entry_id = discord.ui.TextInput(label="Entry id", max_length=64, placeholder="e.g. school-vs-clinic-ot")

    def __init__(self, missed_id: int) -> None:
        super().__init__(timeout=900)
        self.missed_id = missed_id

    async def on_submit(self, interaction: discord.Interaction[OtBot]) -> None:
        await require_moderator(interaction)
        entry_id = self.entry_id.value.strip()
        await interaction.client.engine.missed.add_as_phrasing(require_guild(interaction), self.missed_id, entry_id,
                                                               actor(interaction))
        await interaction.response.send_message(f"Added as a phrasing of `{entry_id}`.", ephemeral=True)


class MissedButton(PersistentButton, template=custom_ids.MISSED):
    LABELS: ClassVar[dict[str, tuple[str, discord.ButtonStyle]]] = {
        "new": ("New entry", discord.ButtonStyle.success),
        "phr": ("Add as phrasing", discord.ButtonStyle.primary),
        "dismiss": ("Dismiss", discord.ButtonStyle.secondary),
    }

    def __init__(self, action: str, missed_id: int, number: int = 0) -> None:
        label, style = self.LABELS[action]
        super().__init__(custom_ids.missed(action, missed_id), f"{number}: {label}" if number else label, style=style)
        self.action, self.missed_id = action, missed_id

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> MissedButton:
        return cls(match["action"], int(match["id"]))

    async def clicked(self, interaction: discord.Interaction[OtBot]) -> None:
        await require_moderator(interaction)
        guild = require_guild(interaction)
        missed = interaction.client.engine.missed
        if self.action == "dismiss":
            await missed.dismiss(guild, self.missed_id)
            await interaction.response.send_message("Dismissed.", ephemeral=True)
            return
        question = await missed.get(guild, self.missed_id)  # still in the queue?
        if self.action == "new":
            await open_modal(interaction, EntryModal(question=question.question, missed_id=question.id))
        else:
            await open_modal(interaction, PhrasingModal(question.id))


class RemoveButton(PersistentButton, template=custom_ids.FAQ_REMOVE):
    def __init__(self, entry_id: str) -> None:
        super().__init__(custom_ids.faq_remove(entry_id), "Yes, remove it", style=discord.ButtonStyle.danger)
        self.entry_id = entry_id

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> RemoveButton:
        return cls(match["id"])

    async def clicked(self, interaction: discord.Interaction[OtBot]) -> None:
        await require_moderator(interaction)
        result = await interaction.client.engine.faq.remove(require_guild(interaction), self.entry_id,
                                                            actor(interaction))
        await interaction.response.edit_message(content=f"`{self.entry_id}`: {result}", embed=None, view=None)


class PageButton(PersistentButton, template=custom_ids.FAQ_PAGE):
    def __init__(self, page: int, tag: str, label: str) -> None:
        super().__init__(custom_ids.faq_page(page, tag), label)
        self.page, self.tag = page, tag

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> PageButton:
        return cls(int(match["page"]), match["tag"], label)

    async def clicked(self, interaction: discord.Interaction[OtBot]) -> None:
        embed, buttons = await list_page(interaction.client, require_guild(interaction), self.tag or None, self.page)
        await interaction.response.edit_message(embed=embed, view=buttons)


PER_PAGE = 15


async def list_page(bot: OtBot, guild: int, tag: str | None, page: int) -> tuple[discord.Embed, discord.ui.View]:
    entries = await bot.engine.faq.list(guild, tag)
    page, pages = page_bounds(len(entries), page, PER_PAGE)
    title = f"FAQ entries tagged '{tag}'" if tag else "FAQ entries"
    buttons = discord.ui.View(timeout=None)
    if page > 0:
        buttons.add_item(PageButton(page - 1, tag or "", "◀ Previous"))
    if page < pages - 1:
        buttons.add_item(PageButton(page + 1, tag or "", "Next ▶"))
    return entry_list_embed(title, entries, page, PER_PAGE), buttons


class ConfirmImport(GuardedView):
    def __init__(self, plan: ImportPlan, moderator_id: int) -> None:
        super().__init__(timeout=600)
        self.plan, self.moderator_id = plan, moderator_id

    @discord.ui.button(label="Import", style=discord.ButtonStyle.success)
    async def confirm(self, interaction: discord.Interaction[OtBot], button: discord.ui.Button) -> None:
        await require_moderator(interaction)
        if interaction.user.id != self.moderator_id:
            raise UserError("Only the moderator who uploaded the file can confirm this import.")
        count = await interaction.client.engine.faq.apply_import(require_guild(interaction), self.plan,
                                                                 actor(interaction))
        self.stop()
        await interaction.response.edit_message(content=f"Imported {count} entries.", view=None)


class FaqCog(commands.GroupCog, group_name="faq", group_description="Browse and curate this server's FAQ"):
    def __init__(self, bot: OtBot) -> None:
        self.bot = bot

    async def entry_autocomplete(self, interaction: discord.Interaction[OtBot], current: str
                                 ) -> list[app_commands.Choice[str]]:
        entries = await self.bot.engine.answerer.entries(interaction.guild_id or 0)
        names = {e.id: f"{e.question} ({e.id})" for e in entries.values()}
        found = closest_ids(entries, current, AUTOCOMPLETE_CHOICES)
        return [app_commands.Choice(name=limits.shorten(names[i], limits.AUTOCOMPLETE_NAME), value=i) for i in found]

    @app_commands.command(name="add", description="Add an entry (moderators)")
    async def add(self, interaction: discord.Interaction[OtBot]) -> None:
        await require_moderator(interaction)
        await open_modal(interaction, EntryModal())

    @app_commands.command(name="edit", description="Edit an entry (moderators)")
    @app_commands.autocomplete(entry=entry_autocomplete)
    async def edit(self, interaction: discord.Interaction[OtBot], entry: str) -> None:
        await require_moderator(interaction)
        guild = require_guild(interaction)
        found = await self.bot.engine.faq.require(guild, entry)
        version = await self.bot.engine.faq.version(guild, entry)
        await open_modal(interaction, EntryModal(entry=found, version=version))

    @app_commands.command(name="remove", description="Remove or hide an entry (moderators)")
    @app_commands.autocomplete(entry=entry_autocomplete)
    async def remove(self, interaction: discord.Interaction[OtBot], entry: str) -> None:
        await require_moderator(interaction)
        found = await self.bot.engine.faq.require(require_guild(interaction), entry)
        buttons = discord.ui.View(timeout=None)
        buttons.add_item(RemoveButton(found.id))
        await interaction.response.send_message(f"Remove `{found.id}` from this server?", embed=entry_embed(found),
                                                view=buttons, ephemeral=True)

    @app_commands.command(name="show", description="Show one entry")
    @app_commands.autocomplete(entry=entry_autocomplete)
    async def show(self, interaction: discord.Interaction[OtBot], entry: str) -> None:
        found = await self.bot.engine.faq.require(require_guild(interaction), entry)
        await interaction.response.send_message(embed=entry_embed(found), ephemeral=True)

    @app_commands.command(name="list", description="List entries, optionally with one tag")
    async def list(self, interaction: discord.Interaction[OtBot], tag: str | None = None) -> None:
        tag = tag.lower().strip()[:40] if tag else None
        embed, buttons = await list_page(self.bot, require_guild(interaction), tag, 0)
        await interaction.response.send_message(embed=embed, view=buttons, ephemeral=True)

    @app_commands.command(name="history", description="Every change to an entry (moderators)")
    @app_commands.autocomplete(entry=entry_autocomplete)
    async def history(self, interaction: discord.Interaction[OtBot], entry: str) -> None:
        await require_moderator(interaction)
        rows = await self.bot.engine.faq.history(require_guild(interaction), entry)
        lines = [f"**v{r.version}** {r.at} · {r.action} · {r.actor}" for r in rows]
        text = "\n".join(lines) or "No changes in this server: this is the curated text."
        embed = discord.Embed(title=limits.shorten(f"History of {entry}", limits.EMBED_TITLE),
                              description=limits.shorten(text + "\n\nRestore with `/faq restore`.",
                                                         limits.EMBED_DESCRIPTION))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="restore", description="Bring back an earlier version (moderators)")
    @app_commands.autocomplete(entry=entry_autocomplete)
    async def restore(self, interaction: discord.Interaction[OtBot], entry: str,
                      version: app_commands.Range[int, 1]) -> None:
        await require_moderator(interaction)
        restored = await self.bot.engine.faq.restore(require_guild(interaction), entry, version, actor(interaction))
        await interaction.response.send_message(f"Restored `{entry}` to version {version}.",
                                                embed=entry_embed(restored), ephemeral=True)

    @app_commands.command(name="missed", description="Questions the bot could not answer (moderators)")
    async def missed(self, interaction: discord.Interaction[OtBot]) -> None:
        await require_moderator(interaction)
        queue = await self.bot.engine.missed.queue(require_guild(interaction), limit=5)
        if not queue:
            await interaction.response.send_message("The missed-questions queue is empty. 🎉", ephemeral=True)
            return
        lines = [f"**{i}.** {limits.shorten(m.question, 300)}\n  _{m.reason}"
                 + (f", closest: `{m.entry_id}`" if m.entry_id else "") + "_" for i, m in enumerate(queue, 1)]
        buttons = discord.ui.View(timeout=None)
        for i, m in enumerate(queue, 1):
            for action in ("new", "phr", "dismiss"):
                buttons.add_item(MissedButton(action, m.id, i))
        embed = discord.Embed(title="Missed questions (newest first)",
                              description=limits.shorten("\n".join(lines), limits.EMBED_DESCRIPTION))
        await interaction.response.send_message(embed=embed, view=buttons, ephemeral=True)

    @app_commands.command(name="export", description="This server's own entries as a YAML file (moderators)")
    async def export(self, interaction: discord.Interaction[OtBot]) -> None:
        await require_moderator(interaction)
        text = await self.bot.engine.faq.export(require_guild(interaction))
        file = discord.File(io.BytesIO(text.encode("utf-8")), filename="otbot-faq.yaml")
        await interaction.response.send_message("This server's entries, in the `knowledge/` format:", file=file,
                                                ephemeral=True)

    @app_commands.command(name="import", description="Import entries from a YAML file (moderators)")
    async def import_(self, interaction: discord.Interaction[OtBot], file: discord.Attachment) -> None:
        await require_moderator(interaction)
        guild = require_guild(interaction)
        if file.size > MAX_IMPORT_BYTES:
            raise UserError("That file is over 1 MB; split it into smaller files.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            text = (await file.read()).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UserError("That file is not UTF-8 text; export it again as YAML.") from exc
        plan = await self.bot.engine.faq.plan_import(guild, text)
        summary = f"**Dry run of `{limits.shorten(file.filename, 80)}`:**\n{plan.summary()}"
        if plan.problems or not (plan.added or plan.updated):
            await interaction.followup.send(limits.shorten(summary, limits.MESSAGE), ephemeral=True)
            return
        await interaction.followup.send(limits.shorten(summary, limits.MESSAGE), ephemeral=True,
                                        view=ConfirmImport(plan, interaction.user.id))


async def setup(bot: OtBot) -> None:
    bot.add_dynamic_items(MissedButton, RemoveButton, PageButton)
    await bot.add_cog(FaqCog(bot))
