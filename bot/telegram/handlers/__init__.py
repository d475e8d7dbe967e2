"""The Telegram handlers, one module per feature; ``bot.telegram.app`` wires them."""
