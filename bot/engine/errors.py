"""Domain errors. Their message is safe to show to a user as is; adapters translate them in one place."""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """Something the user can fix; `str(error)` is the text to show them."""


class NotFound(UserError):
    pass


class PermissionDenied(UserError):
    pass


class GameError(UserError):
    """A game rule was broken (late answer, second answer, no open game...)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a content file, with where it is."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class ContentError(UserError):
    """Content that cannot be served. Carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s) in content:\n{shown}{more}")
