"""Channels and infrastructure around the advisor: Telegram, the terminal, storage, i18n, broadcasts, export."""
