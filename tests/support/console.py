"""Run the terminal advisor as a user would: ``run_bot.py`` with lines typed on stdin, without a token.

In this process by default (``tests.support.cli``); ``process=True`` starts the real ``run_bot.py``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.cli import run_cli, subprocess_run


def console(
    lines: list[str], tmp_path: Path, *args: str, lang_env: str = "C.UTF-8", process: bool = False
) -> subprocess.CompletedProcess[str]:
    """Type ``lines`` into ``run_bot.py *args`` without a token; return the finished run."""
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = lang_env
    env["DATABASE_PATH"] = str(tmp_path / "console.db")
    typed = "".join(line + "\n" for line in lines)
    return (subprocess_run if process else run_cli)(*args, env=env, stdin=typed)
