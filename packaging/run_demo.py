"""``make run``: the demo server in the background, the desktop client in the foreground.

1. ``cnc-server init --demo`` (embedded PostgreSQL under the data dir, demo company once);
2. ``cnc-server serve`` in the background: PID in ``<data>/server.pid``, output in
   ``<data>/server.log``; wait until ``/healthz`` answers;
3. ``cnc-client gui`` signed in as the demo dispatcher (password read from
   ``<data>/demo-accounts.json``), its replica under ``<data>/client``;
4. when the window closes (or on Ctrl+C) the server is stopped by its PID, which
   also stops its embedded PostgreSQL.

Each step is a function so ``tests/integration/test_run_demo.py`` can run them headlessly.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PORT = 8765
DEMO_EMAIL = "dispatcher@demo.cnc-crm.ca"
#: Where there is no OS keyring, the demo replica is wrapped by this passphrase
#: unless ``CNC_REPLICA_PASSPHRASE`` says otherwise (it is a demo, not a secret).
DEMO_PASSPHRASE = "caribou demo passphrase"
PASSPHRASE_ENV = "CNC_REPLICA_PASSPHRASE"
CLIENT_DATA_ENV = "CNC_CLIENT_DATA_DIR"  # client.replica.paths.DATA_DIR_ENV
PID_FILE, LOG_FILE, ACCOUNTS_FILE = "server.pid", "server.log", "demo-accounts.json"
STOP_TIMEOUT_S = 30.0


class DemoError(RuntimeError):
    """A step that failed; reported as one line."""


def data_dir() -> Path:
    return Path(os.environ.get("CNC_DATA_DIR") or REPO / ".data").absolute()


def server_env(data: Path, port: int, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(CNC_DATA_DIR=str(data), CNC_HOST="127.0.0.1", CNC_PORT=str(port))
    env.update(extra or {})
    return env


def _server_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "sync_server.cli", *args]


def init_demo(data: Path, *, port: int, args: Sequence[str] = ()) -> None:
    """Create and migrate the database and load the demo company (once)."""
    data.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        _server_cmd("init", "--demo", *args), env=server_env(data, port), cwd=REPO, check=False
    )
    if done.returncode != 0:
        raise DemoError("cnc-server init --demo failed (see above)")


def running_pid(data: Path) -> int | None:
    """The PID in ``server.pid`` if that process is still our server, else None."""
    try:
        pid = int((data / PID_FILE).read_text().strip())
        proc = psutil.Process(pid)
        alive = proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
        return pid if alive and "sync_server" in " ".join(proc.cmdline()) else None
    except (OSError, ValueError, psutil.Error):
        return None


def start_server(data: Path, *, port: int, env: Mapping[str, str] | None = None) -> int:
    """``cnc-server serve`` in its own session (Ctrl+C is ours to handle); returns its PID."""
    stale = running_pid(data)
    if stale is not None:
        print(f"stopping the demo server left running by an earlier run (PID {stale})")
        stop_server(data)
    data.mkdir(parents=True, exist_ok=True)
    with open(data / LOG_FILE, "ab") as log:
        proc = subprocess.Popen(
            _server_cmd("serve", "--host", "127.0.0.1", "--port", str(port)),
            env=server_env(data, port, env),
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    (data / PID_FILE).write_text(f"{proc.pid}\n")
    return proc.pid


def wait_healthy(url: str, pid: int, *, timeout_s: float = 60.0, log: Path | None = None) -> None:
    """Poll ``/healthz`` until it answers 200; fail early if the server process died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            tail = log.read_text(errors="replace")[-1500:] if log and log.exists() else ""
            raise DemoError(f"the server exited during start-up\n{tail}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise DemoError(f"{url}/healthz did not answer within {timeout_s:.0f}s")


def stop_server(data: Path, *, timeout_s: float = STOP_TIMEOUT_S) -> bool:
    """SIGTERM the server of ``server.pid`` (it stops PostgreSQL on its way out); True if stopped."""
    pid = running_pid(data)
    (data / PID_FILE).unlink(missing_ok=True)
    if pid is None:
        return False
    proc = psutil.Process(pid)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout_s)
    except psutil.TimeoutExpired:
        proc.kill()  # the embedded PostgreSQL may outlive it; the next start reclaims pgdata
        proc.wait(10)
    return True


def demo_account(data: Path, email: str = DEMO_EMAIL) -> tuple[str, str]:
    """``(email, password)`` of a demo account from ``demo-accounts.json``."""
    try:
        doc = json.loads((data / ACCOUNTS_FILE).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise DemoError(f"no demo accounts in {data / ACCOUNTS_FILE}: {exc}") from exc
    for account in doc.get("accounts", []):
        if account.get("email") == email:
            return email, str(account["password"])
    raise DemoError(f"{email} is not a demo account (see {data / ACCOUNTS_FILE})")


def client_env(data: Path, url: str, email: str, password: str) -> dict[str, str]:
    """The client's environment: its replica under the data dir, the demo sign-in.

    Credentials go through the environment (``cnc-client gui`` reads CNC_SERVER_URL,
    CNC_EMAIL and CNC_PASSWORD), so the password never shows in ``ps``.
    """
    env = dict(os.environ)
    env[CLIENT_DATA_ENV] = str(data / "client")
    env.update(CNC_SERVER_URL=url, CNC_EMAIL=email, CNC_PASSWORD=password)
    if not env.get(PASSPHRASE_ENV) and _keyring_missing():
        env[PASSPHRASE_ENV] = DEMO_PASSPHRASE
    return env


def _keyring_missing() -> bool:
    from client.replica.keys import keyring_usable

    return not keyring_usable()


def run_client(env: Mapping[str, str]) -> int:
    """The desktop client in the foreground; Ctrl+C closes it."""
    proc = subprocess.Popen([sys.executable, "-m", "client.cli", "gui"], env=dict(env), cwd=REPO)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            return proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("CNC_PORT", DEFAULT_PORT)))
    parser.add_argument("--email", default=DEMO_EMAIL, help="demo account to sign in as")
    args = parser.parse_args(argv)
    data, url = data_dir(), f"http://127.0.0.1:{args.port}"
    try:
        init_demo(data, port=args.port)
        pid = start_server(data, port=args.port)
        print(f"server PID {pid} on {url} (log: {data / LOG_FILE})")
        try:
            wait_healthy(url, pid, log=data / LOG_FILE)
            email, password = demo_account(data, args.email)
            env = client_env(data, url, email, password)
            if env.get(PASSPHRASE_ENV) == DEMO_PASSPHRASE:
                print(f"no OS keyring: the demo replica uses the passphrase {DEMO_PASSPHRASE!r}")
            print(f"opening the desktop client as {email}")
            return run_client(env)
        finally:
            print("stopping the server...")
            stop_server(data)
    except KeyboardInterrupt:
        return 130
    except DemoError as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
