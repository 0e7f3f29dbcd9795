"""One cog per feature, each a discord.py extension with `async def setup(bot)` (see client.EXTENSIONS)."""
