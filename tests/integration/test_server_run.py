"""``run_server`` end to end: embedded PostgreSQL, JSON logs, clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen[str], timeout_s: float = 30) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited during start-up"
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not turn healthy in {timeout_s}s")


def test_run_server_with_embedded_postgres_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CNC_") and k != "DATABASE_URL"}
    env.update(
        CNC_DATA_DIR=str(tmp_path), CNC_PORT=str(port), CNC_LOG_JSON="true", PYTHONPATH=str(REPO)
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", "from sync_server.core.server import run_server; run_server()"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = _wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
        assert health.json()["database"] == "ok"
        assert (tmp_path / "pgdata" / "postmaster.pid").exists()
        missing = httpx.get(f"http://127.0.0.1:{port}/nowhere", headers={"X-Request-ID": "run-1"})
        assert missing.status_code == 404
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists(), (
        "embedded PostgreSQL still running"
    )
    events = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    requests = [e for e in events if e.get("event") == "request"]
    # /healthz is logged at DEBUG (probes are frequent); other requests at INFO.
    assert [(r["path"], r["status"], r["request_id"]) for r in requests] == [
        ("/nowhere", 404, "run-1")
    ]
    assert all(r["duration_ms"] >= 0 and r["method"] == "GET" for r in requests)
    assert {"server_starting", "server_stopped"} <= {e["event"] for e in events}
    assert all(line.startswith("{") for line in stderr.splitlines() if line.strip()), stderr


def _workers(proc: subprocess.Popen[str]) -> list[psutil.Process]:
    """The supervisor's worker processes (its PostgreSQL children are not ours)."""
    found = []
    for child in psutil.Process(proc.pid).children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def test_serve_with_two_workers_shares_one_port_replaces_a_dead_worker_and_stops_all(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CNC_") and k != "DATABASE_URL"}
    env.update(CNC_DATA_DIR=str(tmp_path), CNC_LOG_JSON="true", PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync_server.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        assert _wait_healthy(url, proc).json()["database"] == "ok"
        workers = _workers(proc)
        assert len(workers) == 2
        # Both answer on the one socket, each with the embedded database's URL and
        # the development secrets the parent resolved (a token one signs, all accept).
        for _ in range(20):
            assert httpx.get(url, timeout=5).json()["database"] == "ok"
        workers[0].kill()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            alive = [w for w in _workers(proc) if w.pid != workers[0].pid]
            if len(alive) == 2:
                break
            time.sleep(0.2)
        assert len(alive) == 2, "the supervisor did not replace the dead worker"
        assert _wait_healthy(url, proc).json()["database"] == "ok"
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:  # a failed test must not leave its server tree behind
            for child in psutil.Process(proc.pid).children(recursive=True):
                child.kill()
            proc.kill()
            proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    psutil.wait_procs(alive, timeout=10)
    assert not any(w.is_running() for w in alive)
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists(), (
        "embedded PostgreSQL still running"
    )
    events = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    starting = [e for e in events if e.get("event") == "server_starting"]
    assert starting and starting[0]["workers"] == 2


def test_serve_refuses_a_worker_count_below_one() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sync_server.cli", "serve", "--workers", "0"],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "--workers must be between 1 and 64, got 0" in result.stderr
