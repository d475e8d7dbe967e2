"""The container files: what the image must promise, and a real build where a Docker daemon is available."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = (ROOT / "compose.yaml").read_text()
DOCKERIGNORE = (ROOT / ".dockerignore").read_text().split()
BASE_IMAGE = next(line.split("=", 1)[1] for line in DOCKERFILE.splitlines() if line.startswith("ARG BASE="))
CONSTRAINTS = (ROOT / "deploy" / "constraints.txt").read_text()


def instructions(keyword: str) -> list[str]:
    """The Dockerfile's instructions of one kind, continuation lines joined."""
    # Docker drops comment lines, also inside an instruction continued over several lines.
    code = "\n".join(line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#"))
    joined = code.replace("\\\n", " ")
    return [line for line in joined.splitlines() if line.startswith(keyword + " ")]


def test_the_image_runs_unprivileged_with_the_database_on_a_volume() -> None:
    assert BASE_IMAGE.startswith("python:3.11-slim")
    users = instructions("USER")
    assert users and users[-1].split()[1] not in ("root", "0")
    assert "DATABASE_PATH=/data/kmu_berater.db" in " ".join(instructions("ENV"))
    assert instructions("VOLUME") == ['VOLUME ["/data"]']
    assert "chown kmu /data" in " ".join(instructions("RUN"))


def test_the_health_check_is_the_bots_heartbeat_not_the_database_check() -> None:
    (healthcheck,) = instructions("HEALTHCHECK")
    assert healthcheck.endswith('CMD ["python", "run_bot.py", "health"]')
    assert instructions("CMD")[-1] == 'CMD ["python", "run_bot.py", "telegram"]'
    assert instructions("FROM") == ["FROM ${BASE}"]


def test_dependencies_are_pinned_and_the_font_cache_is_baked() -> None:
    runs = " ".join(instructions("RUN"))
    assert "-c constraints.txt" in runs and "findfont" in runs
    pins = [line for line in CONSTRAINTS.splitlines() if line and not line.startswith("#")]
    assert pins and all("==" in line for line in pins)
    for package in ("python-telegram-bot", "matplotlib", "fpdf2", "python-dotenv", "fonttools"):
        assert any(line.lower().startswith(package + "==") for line in pins), package


def test_compose_rotates_the_logs() -> None:
    assert "driver: json-file" in COMPOSE and 'max-size: "10m"' in COMPOSE and 'max-file: "3"' in COMPOSE


def test_the_code_is_compiled_into_the_image_after_it_is_copied() -> None:
    lines = DOCKERFILE.replace("\\\n", " ").splitlines()
    compiled = next(n for n, line in enumerate(lines) if "compileall" in line and line.startswith("RUN "))
    copied = [n for n, line in enumerate(lines) if line.startswith(("COPY bot/", "COPY dialogs/"))]
    assert len(copied) == 2 and max(copied) < compiled
    assert "bot" in lines[compiled].split() and "dialogs" in lines[compiled].split()


def test_compose_uses_the_env_file_and_the_volume() -> None:
    assert "env_file: .env" in COMPOSE
    assert "- kmu-data:/data" in COMPOSE and "\nvolumes:\n  kmu-data:" in COMPOSE


def test_secrets_databases_and_the_git_history_stay_out_of_the_build_context() -> None:
    for pattern in (".env", ".git", ".venv", "*.db", "*.db-wal", "tests"):
        assert pattern in DOCKERIGNORE, pattern
    for needed in ("run_bot.py", "bot", "dialogs", "locales", "pyproject.toml"):
        assert needed not in DOCKERIGNORE, needed


def _docker_unavailable() -> str | None:
    """Why the image cannot be built here, or None when it can."""
    if shutil.which("docker") is None:
        return "docker is not installed"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
        return f"no Docker daemon: {reason}"
    present = subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True, timeout=60)
    if present.returncode != 0:
        pull = subprocess.run(["docker", "pull", BASE_IMAGE], capture_output=True, text=True, timeout=600)
        if pull.returncode != 0:
            return f"base image {BASE_IMAGE} cannot be pulled (no registry access?)"
    return None


@pytest.mark.e2e
def test_the_image_builds_and_its_health_check_passes(tmp_path: Path) -> None:
    reason = _docker_unavailable()
    if reason is not None:
        pytest.skip(reason)
    tag = f"kmu-berater-test:{uuid.uuid4().hex[:8]}"
    try:
        build = subprocess.run(
            ["docker", "build", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=1800
        )
        assert build.returncode == 0, build.stderr[-3000:]
        user = subprocess.run(["docker", "run", "--rm", tag, "id", "-u"], capture_output=True, text=True)
        assert user.stdout.strip() not in ("", "0")
        check = subprocess.run(
            ["docker", "run", "--rm", tag, "python", "run_bot.py", "check", "--offline"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert "/data/kmu_berater.db" in check.stdout and "ok    chart and PDF" in check.stdout
    finally:
        subprocess.run(["docker", "image", "rm", "-f", tag], capture_output=True)
