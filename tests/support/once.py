"""Work done once per test session, however many xdist workers ask for it: the first builds, the others read."""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from pathlib import Path

import pytest


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[], bytes]) -> bytes:
    """The bytes ``build`` makes, built by the first worker that asks and read from a file by the rest."""
    # Every worker's base temp sits in one folder per session (pytest-<n>/popen-gw0, ...); alone it is its own.
    root = tmp_path_factory.getbasetemp()
    shared = root.parent if root.name.startswith("popen-gw") else root
    target = shared / "built-once" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with (shared / "built-once" / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if target.exists():
            return target.read_bytes()
        data = build()
        partial = Path(f"{target}.partial")
        partial.write_bytes(data)
        partial.replace(target)
        return data
