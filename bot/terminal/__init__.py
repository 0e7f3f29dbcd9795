"""The terminal adapter: the local chat and the `otbot` subcommands, printing what the engine returns."""
