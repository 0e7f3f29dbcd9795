"""Per-community (Discord server) settings, with defaults in code, read and changed through one service."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
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
        return cls(
            answer_channels=tuple(int(c) for c in data.get("answer_channels") or ()),
            moderator_role=int(data["moderator_role"]) if data.get("moderator_role") else None,
            round_seconds=int(data.get("round_seconds") or DEFAULT_ROUND_SECONDS),
            threads=bool(data.get("threads", False)),
            extra={k: v for k, v in data.items() if k not in SETTING_NAMES},
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        data["answer_channels"] = list(self.answer_channels)
        return {**extra, **data}


SETTING_NAMES = frozenset(f.name for f in fields(CommunitySettings)) - {"extra"}


class CommunitySettingsService:
    """Read and change a community's settings. Every write goes through here, so the in-memory copy (read on
    every message in every channel, to find answer channels) is never stale."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: dict[int, CommunitySettings] = {}

    async def get(self, community: int) -> CommunitySettings:
        cached = self._cache.get(community)
        if cached is None:
            cached = self._cache[community] = CommunitySettings.from_dict(await self._store.settings(community))
        return cached

    async def update(self, community: int, **changes: Any) -> CommunitySettings:
        """Set every value given; None clears a value back to its default (e.g. moderator_role=None)."""
        unknown = set(changes) - SETTING_NAMES
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        defaults = CommunitySettings()
        values = {k: getattr(defaults, k) if v is None else v for k, v in changes.items()}
        seconds = values.get("round_seconds", SECONDS_RANGE[0])
        if not SECONDS_RANGE[0] <= seconds <= SECONDS_RANGE[1]:
            raise UserError(f"Seconds per round must be between {SECONDS_RANGE[0]} and {SECONDS_RANGE[1]}.")
        if "answer_channels" in values:
            values["answer_channels"] = tuple(dict.fromkeys(int(c) for c in values["answer_channels"]))
        updated = replace(await self.get(community), **values)
        self._cache.pop(community, None)  # if the write fails, the next read goes to the database
        await self._store.save_settings(community, updated.to_dict())
        self._cache[community] = updated
        return updated

    async def set_answer_channel(self, community: int, channel_id: int, enabled: bool) -> CommunitySettings:
        current = await self.get(community)
        channels = [c for c in current.answer_channels if c != channel_id] + ([channel_id] if enabled else [])
        return await self.update(community, answer_channels=tuple(channels))

    async def any_answer_channels(self) -> bool:
        """Whether any community has answer channels (they need Discord's privileged message-content intent)."""
        return await self._store.any_answer_channels()

