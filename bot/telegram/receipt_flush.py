"""Write delivery receipts soon after the reply when no other update's transaction has taken them along.

Another process behind the same webhook may get the respondent's next message: it reads the receipt from
the database. Under load every update's transaction writes the receipts held, so this timer rarely finds any;
when the process is idle it costs one commit for all receipts of the last ``RECEIPT_DELAY`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import weakref

from bot.advisor import Advisor

log = logging.getLogger(__name__)

RECEIPT_DELAY = 0.1  # seconds: the window in which another process would still take a reply as lost

_timers: weakref.WeakKeyDictionary[Advisor, asyncio.TimerHandle] = weakref.WeakKeyDictionary()


def flush_soon(advisor: Advisor) -> None:
    """Make sure the receipts held are written within ``RECEIPT_DELAY`` (one timer per advisor)."""
    timer = _timers.get(advisor)
    if timer is not None and not timer.cancelled():
        return
    _timers[advisor] = asyncio.get_running_loop().call_later(RECEIPT_DELAY, _flush, advisor)


def _flush(advisor: Advisor) -> None:
    _timers.pop(advisor, None)
    try:
        advisor.flush_receipts()
    except sqlite3.Error as error:  # a receipt not written only shows the question once more
        log.warning("Delivery receipts not written: %s", type(error).__name__)
