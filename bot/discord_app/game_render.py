"""Scenario rounds, reveals, leaderboards and stats as embeds."""

from __future__ import annotations

import discord

from ..engine.game import LETTERS, Reveal, RoundState, Standings, bar_chart
from ..engine.leaderboard import Leaderboard, PersonalStats
from . import limits
from .limits import shorten
from .render import BRAND

CORRECT = discord.Colour.green()


def round_embed(view: RoundState, answer_count: int | None = None) -> discord.Embed:
    s = view.scenario
    lines = [s.vignette, "", f"**{s.question}**"]
    lines += [f"**{LETTERS[i]}.** {o.label}" for i, o in enumerate(s.options)]
    if view.deadline is not None:
        lines.append(f"\n⏱️ Round ends <t:{int(view.deadline)}:R>")
    embed = discord.Embed(title=shorten(f"Round {view.number}/{view.total} · {s.title}", limits.EMBED_TITLE),
                          description=shorten("\n".join(lines), limits.EMBED_DESCRIPTION), colour=BRAND)
    embed.add_field(name="Student", value=shorten(f"{s.level} · {s.setting}", limits.EMBED_FIELD_VALUE))
    embed.add_field(name="Category", value=f"{s.category} · {'★' * s.difficulty}")
    count = view.answer_count if answer_count is None else answer_count
    who = "solo practice" if view.practice else f"host {view.host_name}"
    embed.set_footer(text=shorten(f"{count} answered · {who} · pick one option; answers are final",
                                  limits.EMBED_FOOTER))
    return limits.fit_embed(embed)


def standings_text(rows: tuple, limit: int = 10) -> str:
    medals = ["🥇", "🥈", "🥉"]
    lines = [f"{medals[i] if i < 3 else f'{i + 1}.'} {shorten(r.user_name, 40)} — **{r.points}**"
             for i, r in enumerate(rows[:limit])]
    return "\n".join(lines) or "No answers yet."


def reveal_embed(reveal: Reveal) -> discord.Embed:
    letter = LETTERS[[o.key for o in reveal.scenario.options].index(reveal.answer.key)]
    embed = discord.Embed(title=shorten(f"Answer: {letter}. {reveal.answer.label}", limits.EMBED_TITLE),
                          description=shorten(reveal.explanation, limits.EMBED_DESCRIPTION), colour=CORRECT)
    why_not = "\n".join(f"**{shorten(o.label, 60)}:** {why}" for o, why in reveal.why_not)
    if why_not:
        embed.add_field(name="Why not the others", value=shorten(why_not, limits.EMBED_FIELD_VALUE), inline=False)
    if reveal.factors:
        embed.add_field(name="Factors", value=shorten(", ".join(reveal.factors), limits.EMBED_FIELD_VALUE),
                        inline=False)
    chart = "\n".join(bar_chart(reveal))
    embed.add_field(name="Answers", value=shorten(f"```\n{chart}\n```", limits.EMBED_FIELD_VALUE), inline=False)
    if reveal.results:
        results = "\n".join(
            f"{shorten(r.user_name, 40)}: {r.credit} +{r.points}"
            + (f" (🔥 streak +{r.streak_bonus})" if r.streak_bonus else "")
            + (f" (⚡ +{r.speed_bonus})" if r.speed_bonus else "")
            for r in reveal.results[:15])
        embed.add_field(name="This round", value=shorten(results, limits.EMBED_FIELD_VALUE), inline=False)
    title = "🏁 Final standings" if reveal.game_over else "Standings"
    embed.add_field(name=title, value=shorten(standings_text(reveal.standings), limits.EMBED_FIELD_VALUE),
                    inline=False)
    sources = "; ".join(s.cite or s.title for s in reveal.scenario.sources)
    embed.set_footer(text=shorten(f"Round {reveal.number}/{reveal.total} · Sources: {sources} · "
                                  "Real decisions belong to the IEP or 504 team.", limits.EMBED_FOOTER))
    return limits.fit_embed(embed)


def stopped_embed(standings: Standings) -> discord.Embed:
    embed = discord.Embed(title="Game stopped",
                          description=f"After {standings.rounds_played} of {standings.rounds_total} rounds.",
                          colour=BRAND)
    embed.add_field(name="Final standings", value=shorten(standings_text(standings.rows), limits.EMBED_FIELD_VALUE))
    return embed


def leaderboard_embed(board: Leaderboard) -> discord.Embed:
    title = "Leaderboard · this week" if board.period == "week" else "Leaderboard · all time"
    lines = [f"{i}. {shorten(r.user_name, 40)} — **{r.points}** points · {r.accuracy:.0%} correct "
             f"({r.rounds} rounds)" for i, r in enumerate(board.rows, 1)]
    return discord.Embed(title=title, colour=BRAND,
                         description=shorten("\n".join(lines) or "Nobody has scored yet. Try `/scenario play`!",
                                             limits.EMBED_DESCRIPTION))


def stats_embed(name: str, stats: PersonalStats) -> discord.Embed:
    embed = discord.Embed(title=shorten(f"Scenario stats · {name}", limits.EMBED_TITLE), colour=BRAND)
    if not stats.rounds:
        embed.description = "No rounds played yet."
        return embed
    embed.description = (f"**{stats.games}** games · **{stats.rounds}** rounds · **{stats.accuracy:.0%}** correct · "
                         f"**{stats.points}** points\nStreak {stats.current_streak} (best {stats.best_streak})"
                         + (f"\nPractice: {stats.practice.rounds} rounds, {stats.practice_points} points (not on the "
                            "leaderboard)" if stats.practice.rounds else ""))
    for title, tallies in (("By category", stats.by_category), ("By factor", stats.by_factor)):
        text = "\n".join(f"{name}: {t.correct}/{t.rounds}" for name, t in sorted(tallies.items()))
        if text:  # Discord rejects a field with an empty value
            embed.add_field(name=title, value=shorten(text, limits.EMBED_FIELD_VALUE))
    return limits.fit_embed(embed)
