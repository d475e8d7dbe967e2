"""The Telegram channel: wiring (``app``), one module per job, all rendering what the advisor returns."""

import os

# Durations such as RetryAfter.retry_after as datetime.timedelta (PTB's coming default), without its warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")
