"""The peer benchmark shown with a result: the median online share of the same size class, when k compare."""

from __future__ import annotations

import time
from decimal import Decimal

from bot.anonymity import DEFAULT_K, round_to_5
from bot.storage import Storage
from dialogs.text import Percent, Text, msg


class PeerBenchmark:
    """The median online share of a size class, cached for ``ttl`` seconds so results stay quick to show."""

    def __init__(self, storage: Storage, k: int = DEFAULT_K, ttl: float = 300.0) -> None:
        self.storage = storage
        self.k = k
        self.ttl = ttl
        self._medians: dict[str, dict[str, tuple[float, int]]] = {}
        self._read_at: float | None = None

    def forget_cache(self) -> None:
        """Read the figures afresh next time (someone's answers left the statistics)."""
        self._read_at = None

    def online_share(self, category: str) -> tuple[int, int] | None:
        """(median online share rounded to 5 points, n) of ``category``, or None when n < k."""
        now = time.monotonic()
        if self._read_at is None or now - self._read_at >= self.ttl:
            from bot.analytics.statistics import share_medians  # with the first result, not at the start

            self._medians = share_medians(self.storage, ["online_share"])
            self._read_at = now
        median, n = self._medians.get(category, {}).get("online_share", (0.0, 0))
        if n < self.k:
            return None
        return round_to_5(median) or 0, n

    def line(self, category: str) -> Text | None:
        """The benchmark sentence for a result of ``category``, or None when too few companies compare."""
        found = self.online_share(category)
        if found is None:
            return None
        share, n = found
        return msg(
            "Companies of your size class in our data spend {share} of their marketing budget online "
            "(median, n = {n}).",
            share=Percent(Decimal(share)),
            n=n,
        )
