"""``cnc-client`` with no arguments: the desktop app (sign in or unlock, then the main window).

The app object owns the transitions: start screen → main window, and back
to the start screen when the device is revoked (data already erased) or
the session ended (the replica and its outbox are kept; only a password is
asked for).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from client.services import accounts
from client.services.workspace import Workspace
from client.session import Profile
from client.ui.context import AppContext
from client.ui.garbage import collect_on_ui_thread
from client.ui.main_window import MainWindow
from client.ui.signin import SignInDialog
from client.ui.signin_errors import Explained
from client.ui.style import apply_style

log = logging.getLogger(__name__)
ORGANISATION = "C&C CRM"
APPLICATION = "cnc-client"
SERVER_ENV, EMAIL_ENV, PASSWORD_ENV = "CNC_SERVER_URL", "CNC_EMAIL", "CNC_PASSWORD"


def make_application(argv: Sequence[str] = ()) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0] if sys.argv else APPLICATION, *argv])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("C&C CRM")
    apply_style(app)
    collect_on_ui_thread(app)  # never on a worker: it would destroy widgets there
    return app


class DesktopApp(QObject):
    """Start screen and main window, one at a time."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.window: MainWindow | None = None
        self.workspace: Workspace | None = None
        self.passphrase: str | None = None

    def start(self, credentials: tuple[str, str, str] | None = None) -> bool:
        """Show the start screen (signing in at once with ``credentials``); False if cancelled."""
        return self._ask(credentials=credentials)

    def _ask(
        self,
        *,
        notice: Explained | None = None,
        reauth: Profile | None = None,
        credentials: tuple[str, str, str] | None = None,
    ) -> bool:
        dialog = SignInDialog(notice=notice, reauth=reauth, passphrase=self.passphrase)
        if credentials is not None:
            QTimer.singleShot(0, lambda: dialog.submit(*credentials))
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.workspace is None:
            return False
        self.passphrase = dialog.passphrase
        self.open(dialog.workspace)
        return True

    def open(self, workspace: Workspace) -> MainWindow:
        self.workspace = workspace
        window = MainWindow(AppContext(workspace), settings=self.settings)
        window.signed_out.connect(self._revoked)
        window.reauth_requested.connect(self._reauth)
        self.window = window
        window.show()
        return window

    def _close_window(self) -> None:
        if self.window is not None:
            self.window.save_layout()
            self.window.shutdown()
            self.window.hide()
            self.window.deleteLater()
            self.window = None
        if self.workspace is not None:
            self.workspace.close()

    def _revoked(self, reason: str) -> None:
        profile = self.workspace.profile if self.workspace else None
        self._close_window()
        if profile is not None:
            accounts.forget(profile)
        self.passphrase = None
        if not self._ask(notice=Explained(reason)):
            QApplication.quit()

    def _reauth(self) -> None:
        profile = self.workspace.profile if self.workspace else None
        self._close_window()
        notice = Explained(
            "Sign in again to resume syncing. Your unsynced changes are kept.", kind="info"
        )
        if not self._ask(notice=notice, reauth=profile):
            QApplication.quit()

    def shutdown(self) -> None:
        self._close_window()


def _credentials(args: Sequence[str]) -> tuple[str, str, str] | None:
    import argparse

    parser = argparse.ArgumentParser(prog="cnc-client gui")
    parser.add_argument("--server", default=os.environ.get(SERVER_ENV))
    parser.add_argument("--email", default=os.environ.get(EMAIL_ENV))
    parser.add_argument("--password", default=os.environ.get(PASSWORD_ENV))
    ns, _ = parser.parse_known_args(list(args))
    if ns.server and ns.email and ns.password:
        return ns.server, ns.email, ns.password
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Open the window; ``--server/--email/--password`` (or CNC_* env) sign in directly."""
    args = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=os.environ.get("CNC_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app = make_application()
    desktop = DesktopApp()
    if not desktop.start(_credentials(args)):
        return 0
    app.aboutToQuit.connect(desktop.shutdown)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
