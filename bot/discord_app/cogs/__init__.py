"""One cog per feature. Each module has `setup(bot)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..client import OtBot


async def load_all(bot: OtBot) -> None:
    from . import admin, ask, faq, scenario

    for module in (ask, scenario, faq, admin):
        await module.setup(bot)
