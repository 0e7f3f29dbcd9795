"""Per-community (Discord server) settings, with defaults in code."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .errors import UserError
from .game import SECONDS_RANGE
from .store import Store

DEFAULT_ROUND_SECONDS = 45


@dataclass(frozen=True, slots=True)
class CommunitySettings:
    answer_channels: tuple[int, ...] = ()
    moderator_role: int | None = None
    round_seconds: int = DEFAULT_ROUND_SECONDS
    threads: bool = False  # open a discussion thread under each reveal
    extra: dict[str, Any] = field(default_factory=dict)  # keys from newer versions, kept on save

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CommunitySettings:
        known = {"answer_channels", "moderator_role", "round_seconds", "threads"}
        return cls(
            answer_channels=tuple(int(c) for c in data.get("answer_channels") or ()),
            moderator_role=int(data["moderator_role"]) if data.get("moderator_role") else None,
            round_seconds=int(data.get("round_seconds") or DEFAULT_ROUND_SECONDS),
            threads=bool(data.get("threads", False)),
            extra={k: v for k, v in data.items() if k not in known},
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        data["answer_channels"] = list(self.answer_channels)
        return {**extra, **data}


async def load_settings(store: Store, community: int) -> CommunitySettings:
    return CommunitySettings.from_dict(await store.settings(community))


async def update_settings(store: Store, community: int, **changes: Any) -> CommunitySettings:
    seconds = changes.get("round_seconds")
    if seconds is not None and not SECONDS_RANGE[0] <= seconds <= SECONDS_RANGE[1]:
        raise UserError(f"Seconds per round must be between {SECONDS_RANGE[0]} and {SECONDS_RANGE[1]}.")
    current = await load_settings(store, community)
    updated = replace(current, **{k: v for k, v in changes.items() if v is not None})
    await store.save_settings(community, updated.to_dict())
    return updated
