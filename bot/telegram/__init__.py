"""The Telegram channel: wiring (``app``, ``jobs``), handlers per feature (``handlers``), broadcast runs
(``broadcast_runs`` with its ``broadcaster``), and one module per job beside them, all rendering what the advisor returns."""

import os

# Durations such as RetryAfter.retry_after as datetime.timedelta (PTB's coming default), without its warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")
