"""The bot's admin commands (ADMIN_IDS only): reports, broadcasts and channels."""
