"""``make run``'s pieces headlessly: demo server in the background, dispatcher signs in, stop by PID."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx
import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]


def _load_run_demo() -> ModuleType:
    # ``packaging/`` is not a package (its name is taken on PyPI): load the script by path.
    spec = importlib.util.spec_from_file_location("run_demo", REPO / "packaging" / "run_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _alive(pid: int) -> bool:
    """Running and not a zombie (a reparented process may wait a moment to be reaped)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_demo_server_runs_in_background_and_stops_by_pid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_demo = _load_run_demo()
    for name in ("DATABASE_URL", "CNC_DATABASE_URL", "CNC_REPLICA_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    data, port = tmp_path / "data", _free_port()
    url = f"http://127.0.0.1:{port}"

    run_demo.init_demo(data, port=port, args=["--customers", "12"])
    email, password = run_demo.demo_account(data)
    assert email == "dispatcher@demo.cnc-crm.ca" and password

    pid = run_demo.start_server(data, port=port)
    postmaster = 0
    try:
        assert (data / "server.pid").read_text().strip() == str(pid)
        run_demo.wait_healthy(url, pid, log=data / "server.log")
        assert httpx.get(f"{url}/healthz").json()["database"] == "ok"
        postmaster = int((data / "pgdata" / "postmaster.pid").read_text().split()[0])
        assert psutil.pid_exists(postmaster)

        env = run_demo.client_env(data, url, email, password)
        env["CNC_REPLICA_PASSPHRASE"] = run_demo.DEMO_PASSPHRASE  # CI has no keyring
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        login = subprocess.run(
            [sys.executable, "-m", "client.cli", "login", "--server", url, "--email", email]
            + ["--password-stdin"],
            input=password,
            check=False,
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert login.returncode == 0, login.stderr
        status = subprocess.run(
            [sys.executable, "-m", "client.cli", "status", "--json"],
            check=False,
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["pending"] == 0
        assert any((data / "client").iterdir()), "the replica lives under the demo data dir"
    finally:
        stopped = run_demo.stop_server(data)
    assert stopped and not (data / "server.pid").exists()
    assert postmaster and not _alive(pid) and not _alive(postmaster), "a process is left"
    assert not (data / "pgdata" / "postmaster.pid").exists(), "PostgreSQL still running"
    assert run_demo.stop_server(data) is False  # idempotent: nothing left to stop
