"""The Telegram channel: wiring (``app``), one module per job, all rendering what the advisor returns."""
