"""``run_bot.py`` called in-process: its ``main`` with the given arguments, environment, working directory and
stdin, returning what a finished process would (exit status, stdout, stderr).

Starting a Python process that imports the bot costs about a second of CPU; most command-line tests are about
what the command says and returns, not about the process. Each command keeps one test that starts the real
process (``subprocess_run``), so that the entry point, its imports and a refusal without a traceback on a real
stderr stay covered.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import run_bot

ROOT = Path(__file__).resolve().parent.parent.parent


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` is exactly ``env`` inside (``.env`` files the command loads included), as it was after."""
    before = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


def run_cli(
    *args: str, env: Mapping[str, str], stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python run_bot.py *args`` as a finished process would report it, run in this process."""
    out, err = io.StringIO(), io.StringIO()
    previous_dir, previous_stdin = Path.cwd(), sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with _environment(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            if cwd is not None:
                os.chdir(cwd)
            try:
                status = run_bot.main(list(args))
            except SystemExit as exit_:  # argparse refuses an option this way
                status = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.stdin = previous_stdin
        os.chdir(previous_dir)
    return subprocess.CompletedProcess(
        [sys.executable, "run_bot.py", *args], status, out.getvalue(), err.getvalue()
    )


def subprocess_run(
    *args: str, env: Mapping[str, str], stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python run_bot.py *args`` as a real process: the smoke test of each command."""
    return subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), *args],
        env=dict(env),
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
