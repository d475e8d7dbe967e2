"""The shipped systemd unit: parsed as systemd reads it, verified by systemd where it is installed."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.storage import Storage

ROOT = Path(__file__).resolve().parent.parent
UNIT_PATH = ROOT / "deploy" / "kmu-berater.service"


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """Sections with their settings, the way systemd reads them: comments only as whole lines."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"line {number}: setting outside a section"
        key, sep, value = line.partition("=")
        assert sep, f"line {number}: not a setting: {raw!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


UNIT = parse_unit(UNIT_PATH.read_text())
SERVICE = UNIT["Service"]


def test_no_setting_carries_a_comment_behind_it() -> None:
    for section in UNIT.values():
        for key, values in section.items():
            for value in values:
                assert " #" not in value and "\t#" not in value, f"{key}={value}: systemd keeps the comment"


def test_the_parser_sees_a_trailing_comment_as_part_of_the_value() -> None:
    broken = parse_unit("[Service]\nEnvironmentFile=/etc/kmu-berater.env   # TOKEN=…\n")
    assert broken["Service"]["EnvironmentFile"] == ["/etc/kmu-berater.env   # TOKEN=…"]


def test_the_service_can_write_its_database_cache_and_temp_files_and_nothing_else() -> None:
    assert SERVICE["ProtectSystem"] == ["strict"]
    assert SERVICE["StateDirectory"] == ["kmu-berater"]
    database = dict(v.split("=", 1) for v in SERVICE["Environment"])["DATABASE_PATH"]
    assert database.startswith("/var/lib/kmu-berater/")
    # matplotlib's font cache: without a writable MPLCONFIGDIR the chart and the PDF report fail.
    assert SERVICE["CacheDirectory"] == ["kmu-berater"]
    cache = dict(v.split("=", 1) for v in SERVICE["Environment"])["MPLCONFIGDIR"]
    assert cache.startswith("/var/cache/kmu-berater")
    assert SERVICE["PrivateTmp"] == ["true"]
    assert SERVICE["UMask"] == ["0077"]
    assert SERVICE["NoNewPrivileges"] == ["true"]
    assert SERVICE["User"] == ["kmu-berater"]
    assert SERVICE["EnvironmentFile"] == ["/etc/kmu-berater.env"]
    assert SERVICE["RestartPreventExitStatus"] == ["2"]


def test_the_readme_shows_the_shipped_unit() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "deploy/kmu-berater.service" in readme
    for step in ("useradd --system", "install -m 600", "systemctl enable --now kmu-berater"):
        assert step in readme, step


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    # The unit names /opt/kmu-berater; verify reads executables, so point it at this checkout.
    text = UNIT_PATH.read_text().replace("/opt/kmu-berater/.venv/bin/python", sys.executable)
    text = text.replace("WorkingDirectory=/opt/kmu-berater", f"WorkingDirectory={ROOT}")
    text = text.replace("EnvironmentFile=/etc/", "EnvironmentFile=-/etc/")
    unit = tmp_path / "kmu-berater.service"
    unit.write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "kmu-berater.service" not in result.stderr, result.stderr


def test_a_new_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        storage = Storage(str(tmp_path / "new.db"))
        storage.close()
    finally:
        os.umask(old)
    for name in ("new.db", "new.db-wal", "new.db-shm"):
        path = tmp_path / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
