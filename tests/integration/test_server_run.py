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
