"""``make screenshots``: every main screen with demo data, rendered offscreen to docs/screenshots.

Builds a demo world the way ``make run`` does (a real server on an embedded
PostgreSQL in a temporary data dir, ``init --demo``), signs in the demo
dispatcher, admin and crew lead like the desktop app (a real encrypted replica,
bootstrapped by a real sync), and grabs one PNG per section the navigation
shows each of them, plus one per extra tab of a section. Sections come from
``client.ui.navigation``, so screens added later are picked up by themselves.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import keyring
import keyring.backends.fail
import run_demo

OUT = HERE.parent / "docs" / "screenshots"
#: (file prefix, demo account) in README order.
PEOPLE = (
    ("dispatcher", "dispatcher@demo.cnc-crm.ca", "Dispatch desk, Toronto"),
    ("crew-lead", "crewlead@demo.cnc-crm.ca", "Field laptop, truck TOR1-T01"),
    ("admin", "admin@demo.cnc-crm.ca", "Office PC, head office"),
)
SIZE = (1440, 900)
PASSPHRASE = "screenshots only"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def demo_server(data: Path, customers: int) -> Iterator[str]:
    """The demo server in the background on a free port; stopped by PID at the end."""
    port = _free_port()
    run_demo.init_demo(data, port=port, args=["--customers", str(customers)])
    pid = run_demo.start_server(data, port=port)
    url = f"http://127.0.0.1:{port}"
    try:
        run_demo.wait_healthy(url, pid, log=data / run_demo.LOG_FILE)
        yield url
    finally:
        run_demo.stop_server(data)


def settle(rounds: int = 6) -> None:
    """Let background reads and network calls finish and their results paint."""
    from PySide6.QtWidgets import QApplication

    from client.ui import tasks

    for _ in range(rounds):
        tasks.wait_idle()
        tasks.net_pool().waitForDone(15_000)
        QApplication.processEvents()
        time.sleep(0.05)
        QApplication.processEvents()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"\(\d[\d,]*\)", "", text).lower()).strip("-")


def _select_first_row(page: object) -> None:
    table = getattr(page, "table", None)
    model = table.model() if table is not None else None
    if model is not None and model.rowCount() > 0:
        table.selectRow(0)


def shoot_account(
    url: str, prefix: str, email: str, password: str, data: Path, device: str
) -> list[Path]:
    from PySide6.QtCore import QSettings

    from client.services.workspace import sign_in_workspace
    from client.ui.context import AppContext
    from client.ui.main_window import MainWindow

    workspace = sign_in_workspace(url, email, password, lambda _: PASSPHRASE, device_name=device)
    workspace.prepare()
    workspace.engine().sync_once()
    settings = QSettings(str(data / f"{prefix}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(AppContext(workspace), settings=settings, sync=False)
    shots: list[Path] = []
    try:
        window.resize(*SIZE)
        window.show()
        window.worker.start(live=False)  # one real sync, so the status bar tells the truth
        deadline = time.monotonic() + 30
        while window.status.syncing or "Synced" not in window.status.last_sync.text():
            settle(1)
            if time.monotonic() > deadline:
                break
        for key in window.nav.keys():  # noqa: SIM118 - NavList.keys(), not a dict
            page = window.show_section(key)
            settle()
            _select_first_row(page)
            tabs = getattr(page, "tabs", None)
            count = tabs.count() if tabs is not None else 1
            for number in range(count):
                name = f"{prefix}-{key.replace('_', '-')}"
                if tabs is not None:
                    tabs.setCurrentIndex(number)
                    if number:
                        name += f"-{_slug(tabs.tabText(number))}"
                    _select_first_row(tabs.currentWidget())
                settle()
                path = OUT / f"{name}.png"
                window.grab().save(str(path))
                shots.append(path)
            if tabs is not None:
                tabs.setCurrentIndex(0)
    finally:
        window.shutdown()
        window.close()
        window.deleteLater()
        settle(1)
        workspace.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=160)
    args = parser.parse_args(argv)

    from client.ui.app import make_application

    keyring.set_keyring(keyring.backends.fail.Keyring())  # a field laptop: passphrase only
    app = make_application()
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="cnc-shots-") as tmp:
        data = Path(tmp)
        os.environ["CNC_CLIENT_DATA_DIR"] = str(data / "client")
        with demo_server(data / "server", args.customers) as url:
            for prefix, email, device in PEOPLE:
                _, password = run_demo.demo_account(data / "server", email)
                for path in shoot_account(url, prefix, email, password, data, device):
                    print(path.relative_to(HERE.parent))
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
