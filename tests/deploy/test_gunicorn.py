"""gunicorn.conf.py: one web process without Redis (else refused), any number with it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_KEY

REPO = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "WEB_CONCURRENCY")}
    env.update(
        SECRET_KEY="test-secret-key",
        ENCRYPTION_KEYS=TEST_KEY,
        INSTANCE_PATH=str(tmp_path / "instance"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}",
        **extra,
    )
    return env


def _serves(args: list[str], env: dict[str, str], port: int) -> int:
    """Start gunicorn, wait for /healthz, return how many workers answered; then stop it."""
    proc = subprocess.Popen(
        [str(GUNICORN), *args, "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()[0]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            pytest.fail("gunicorn never answered /healthz")
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    return out.count("Booting worker")


def test_several_workers_without_redis_are_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(GUNICORN), "-w", "2", "-b", f"127.0.0.1:{_free_port()}", "wsgi:app"],
        cwd=REPO, env=_env(tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "2 gunicorn workers without REDIS_URL" in result.stderr + result.stdout
    assert "Booting worker" not in result.stderr + result.stdout


def test_one_worker_is_the_default_without_redis(tmp_path: Path) -> None:
    assert _serves([], _env(tmp_path), _free_port()) == 1


def test_several_workers_with_redis(tmp_path: Path, redis_url: str) -> None:
    env = _env(tmp_path, REDIS_URL=redis_url, RATELIMIT_ENABLED="0")
    assert _serves(["-w", "2"], env, _free_port()) == 2
