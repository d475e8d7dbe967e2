"""Run the terminal advisor as a user would: ``run_bot.py`` in a subprocess, lines typed on stdin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def console(
    lines: list[str], tmp_path: Path, *args: str, lang_env: str = "C.UTF-8"
) -> subprocess.CompletedProcess[str]:
    """Type ``lines`` into ``run_bot.py *args`` without a token; return the finished process."""
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = lang_env
    env["DATABASE_PATH"] = str(tmp_path / "console.db")
    return subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), *args],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
