"""The Discord adapter: cogs, buttons, modals and embeds around the engine. Nothing here is imported by it."""
