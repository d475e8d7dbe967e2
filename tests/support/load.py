"""Patience that follows the machine's load: a wait that suffices on an idle machine, stretched when it is busy.

A test that waits for a bot's reply must not fail because the CI machine is shared; it fails when the reply
never comes. One runnable process per core is normal, more stretches every wait in proportion (at most 8x).
"""

from __future__ import annotations

import os

MOST = 8.0


def load_factor() -> float:
    """How many times longer than on an idle machine a wait may take now."""
    try:
        per_core = os.getloadavg()[0] / (os.cpu_count() or 1)
    except OSError:  # no load average on this system
        return 1.0
    return min(max(1.0, per_core), MOST)


def scaled(seconds: float) -> float:
    """``seconds`` stretched by the current load."""
    return seconds * load_factor()
