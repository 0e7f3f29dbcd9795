"""What the chat says to lines that are not questions: greetings, thanks, "help", "clear", and /help.

This is the chat's manners, not the matcher's job: only a whole line of small talk is caught here
("hi, my son gets OT at the clinic..." still goes to the engine).
"""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

EXAMPLE_QUESTIONS = (
    "Why does my child get OT at the clinic but not at school?",
    "Who decides whether a student gets OT at school?",
    "Does school OT need a doctor's referral or prescription?",
)

_KINDS = {
    "greeting": r"(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening)|greetings)( there| otbot| bot)?",
    "thanks": r"(thanks|thank you|thank u|thx|ty|cheers|great|perfect|ok|okay|cool|got it|bye|goodbye)"
              r"( (so|very) much| a lot| otbot| bot)?",
    "help": r"(help|help me|\?+|what can you do|what do you do|how does this work|commands|menu|start)",
    "clear": r"(clear|cls|clear screen)",
}
_PATTERNS = {kind: re.compile(rf"{pattern}") for kind, pattern in _KINDS.items()}
_NOISE = re.compile(r"[^\w\s?']+")

_OPENERS = {
    "greeting": "Hello! Ask me anything about OT at school or in the clinic, in your own words.",
    "thanks": "You're welcome. Ask another question whenever you like.",
    "help": "Ask a question in your own words, or type /help for the commands.",
    "clear": "Screen cleared. Ask a question in your own words.",
}

COMMANDS: tuple[tuple[str, str], ...] = (
    ("/scenario [category] [difficulty 1-3] [rounds N]",
     'play "Should this student get OT?" (3 rounds of any category and difficulty unless you say)'),
    ("/categories", "the scenario categories, for /scenario"),
    ("/show ID", "open an entry by its id (ids are shown beside related entries)"),
    ("/stats", "your scenario results on this computer"),
    ("/leaderboard [week|all]", "the best scores on this computer (this week unless you say all)"),
    ("/help [command]", "this list, or more about one command"),
    ("/quit", "leave (Ctrl-D and Ctrl-C work too)"),
)


def small_talk(line: str) -> str | None:
    """The kind of small talk a whole line is ('greeting', 'thanks', 'help', 'clear'), else None."""
    words = " ".join(_NOISE.sub(" ", line.lower()).split())
    return next((kind for kind, pattern in _PATTERNS.items() if pattern.fullmatch(words)), None)


def examples() -> RenderableType:
    lines = [Text("For example:", style="dim")]
    lines += [Text.assemble("  • ", (q, "cyan")) for q in EXAMPLE_QUESTIONS]
    return Group(*lines)


def small_talk_reply(kind: str) -> RenderableType:
    return Group(Text(_OPENERS[kind]), examples())


def help_view(topic: str | None = None) -> RenderableType:
    """/help, or /help scenario: the usage line and what it does."""
    if topic:
        wanted = "/" + topic.lower().lstrip("/")
        found = [(usage, what) for usage, what in COMMANDS if usage.split()[0] == wanted]
        if found:
            usage, what = found[0]
            return Group(Text(usage, style="bold"), Text(f"  {what[0].upper()}{what[1:]}."))
        return Text(f"There is no command {wanted}. Type /help for the list.")
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column()
    for usage, what in COMMANDS:
        table.add_row(" ", Text.assemble((usage, "bold"), (f"  {what}", "dim")))
    return Group(
        Text("Ask any question about school-based or clinic (medical-model) occupational therapy, "
             "in your own words. A number opens an item from the list shown last."),
        table, examples())
