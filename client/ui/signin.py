"""The start screen: open a saved account offline, or sign in online (first run, expired lease).

Every field validates as the user types and explains itself underneath;
the network and unlock work run on a worker thread behind a busy bar, and
failures show as inline messages, never as modal boxes.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from client.replica.errors import KeyStoreError
from client.replica.passphrase import PassphrasePrompt, PassphraseProvider
from client.services import accounts
from client.services.workspace import Workspace, open_workspace, sign_in_workspace
from client.session import Profile
from client.ui import validators as check
from client.ui.fields import Field
from client.ui.signin_errors import Explained, explain
from client.ui.tasks import Op, net_pool
from client.ui.widgets import Banner, Card, button, label

PASSPHRASE_ENV = "CNC_REPLICA_PASSPHRASE"


def _prepared(workspace: Workspace) -> Workspace:
    """Build the screens' indexes before the window opens (long only once, after an upgrade)."""
    try:
        workspace.prepare()
    except BaseException:
        workspace.close()
        raise
    return workspace


class SignInDialog(QDialog):
    """``exec()`` returns Accepted with ``workspace`` open (and ``passphrase`` remembered)."""

    def __init__(
        self,
        *,
        profiles: list[Profile] | None = None,
        notice: Explained | None = None,
        reauth: Profile | None = None,
        passphrase: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("C&C CRM — Sign in")
        self.setMinimumSize(520, 600)
        self.workspace: Workspace | None = None
        self.profiles = profiles if profiles is not None else accounts.known_profiles()
        self.keyring_less = accounts.needs_passphrase()
        self.passphrase = passphrase or os.environ.get(PASSPHRASE_ENV) or None
        self.busy = False

        self.banner = Banner()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.pages = QStackedWidget()
        self.pages.addWidget(self._accounts_page())
        self.pages.addWidget(self._sign_in_page())

        card = Card()
        card.body.setContentsMargins(28, 24, 28, 24)
        card.body.setSpacing(12)
        card.body.addWidget(label("C&C CRM", "PageTitle"))
        card.body.addWidget(label("Moving & logistics, online or off.", "Muted"))
        card.body.addWidget(self.banner)
        card.body.addWidget(self.pages)
        card.body.addWidget(self.progress)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(36, 28, 36, 28)
        outer.addWidget(card)

        if reauth is not None:
            self._prefill(reauth, locked=True)
        elif self.profiles:
            self.pages.setCurrentIndex(0)
            self.account_list.setCurrentRow(0)
        else:
            self.pages.setCurrentIndex(1)
        if notice is not None:
            self.banner.show_message(notice.text, kind=notice.kind)
        self._revalidate()

    # -- pages ---------------------------------------------------------------------------

    def _accounts_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 8, 0, 0)
        box.setSpacing(10)
        box.addWidget(label("Choose your account", "DetailTitle"))
        self.account_list = QListWidget()
        self.account_list.setObjectName("AccountList")
        for profile in self.profiles:
            item = QListWidgetItem(f"{profile.email}\n{profile.server_url}")
            item.setData(Qt.ItemDataRole.UserRole, profile)
            self.account_list.addItem(item)
        self.account_list.setMaximumHeight(150)
        box.addWidget(self.account_list)
        self.unlock_pass = Field(
            "Passphrase", lambda t: check.required(t, "passphrase"), secret=True
        )
        self.unlock_pass.setVisible(self.keyring_less)
        if self.passphrase:
            self.unlock_pass.set_text(self.passphrase)
        box.addWidget(self.unlock_pass)
        self.open_button = button("Open", primary=True)
        box.addWidget(self.open_button)
        other = button("Use another account", flat=True)
        box.addWidget(other, 0, Qt.AlignmentFlag.AlignLeft)
        box.addStretch(1)
        self.open_button.clicked.connect(self.unlock)
        self.unlock_pass.edit.returnPressed.connect(self.unlock)
        self.account_list.itemDoubleClicked.connect(lambda _: self.unlock())
        other.clicked.connect(lambda: self._go(1))
        self.unlock_pass.edit.textChanged.connect(self._revalidate)
        return page

    def _sign_in_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 8, 0, 0)
        box.setSpacing(10)
        box.addWidget(label("Sign in", "DetailTitle"))
        self.server = Field(
            "Server address", check.server_url, placeholder="https://crm.yourcompany.com"
        )
        self.email = Field("Work email", check.email, placeholder="name@company.com")
        self.password = Field("Password", lambda t: check.required(t, "password"), secret=True)
        self.new_pass = Field("Passphrase for this computer", self._check_passphrase, secret=True)
        self.repeat_pass = Field(
            "Repeat the passphrase",
            lambda t: check.same(self.new_pass.text, t),
            secret=True,
        )
        self.fields = [self.server, self.email, self.password, self.new_pass, self.repeat_pass]
        for field in self.fields:
            box.addWidget(field)
            field.edit.textChanged.connect(self._revalidate)
            field.edit.returnPressed.connect(self.sign_in)
        self.hint = label(
            "No keyring on this computer: the passphrase protects your data here.",
            "Muted",
            wrap=True,
        )
        box.addWidget(self.hint)
        self.sign_in_button = button("Sign in", primary=True)
        self.sign_in_button.clicked.connect(self.sign_in)
        box.addWidget(self.sign_in_button)
        self.back = button("Back to saved accounts", flat=True)
        self.back.clicked.connect(lambda: self._go(0))
        self.back.setVisible(bool(self.profiles))
        box.addWidget(self.back, 0, Qt.AlignmentFlag.AlignLeft)
        box.addStretch(1)
        return page

    def _check_passphrase(self, text: str) -> str | None:
        if self._new_replica():
            return check.new_passphrase(text)
        return check.required(text, "passphrase")

    def _new_replica(self) -> bool:
        if check.server_url(self.server.text) or check.email(self.email.text):
            return True
        return not accounts.has_replica(check.full_url(self.server.text), self.email.text)

    def _go(self, page: int) -> None:
        self.banner.hide()
        self.pages.setCurrentIndex(page)
        self._revalidate()

    def _prefill(self, profile: Profile, *, locked: bool) -> None:
        self.server.set_text(profile.server_url)
        self.email.set_text(profile.email)
        self.server.edit.setReadOnly(locked)
        self.email.edit.setReadOnly(locked)
        self.pages.setCurrentIndex(1)
        self.password.edit.setFocus()

    def _revalidate(self) -> None:
        """Show or hide the passphrase fields and enable the buttons as the user types."""
        need_pass = self.keyring_less and not self.passphrase
        creating = self._new_replica()
        self.new_pass.setVisible(need_pass)
        self.new_pass.title.setText(
            "Choose a passphrase for this computer" if creating else "Passphrase"
        )
        self.repeat_pass.setVisible(need_pass and creating)
        self.hint.setVisible(need_pass and creating)
        for field in self.fields:
            if field.touched:
                field.refresh()
        ready = all(f.valid() for f in self.fields)
        self.sign_in_button.setEnabled(ready and not self.busy)
        unlock_ready = self.unlock_pass.valid() and self.account_list.currentItem() is not None
        self.open_button.setEnabled(unlock_ready and not self.busy)

    # -- actions -------------------------------------------------------------------------

    def _provider(self, typed: str) -> PassphraseProvider:
        secret = self.passphrase or typed

        def provide(prompt: PassphrasePrompt) -> str:
            if not secret:  # only where a keyring was expected and turned out locked
                raise KeyStoreError("the keyring is locked and no passphrase was given")
            return secret

        return provide

    def sign_in(self) -> None:
        for field in self.fields:
            field.refresh(force=True)
        self._revalidate()
        if self.busy or not self.sign_in_button.isEnabled():
            return
        server, email = check.full_url(self.server.text), self.email.text.strip()
        password, typed = self.password.text, self.new_pass.text
        provider = self._provider(typed)
        self._start("Signing in…")
        Op(
            parent=self,
            op=lambda: _prepared(sign_in_workspace(server, email, password, provider)),
        ).success(lambda ws: self._done(ws, typed)).failure(
            lambda exc: self._failed(exc, server)
        ).run_in_background(net_pool())

    def unlock(self) -> None:
        self.unlock_pass.refresh(force=True)
        item = self.account_list.currentItem()
        if self.busy or item is None or not self.unlock_pass.valid():
            return
        profile: Profile = item.data(Qt.ItemDataRole.UserRole)
        typed = self.unlock_pass.text
        provider = self._provider(typed)
        self._start("Opening…")
        Op(parent=self, op=lambda: _prepared(open_workspace(profile, provider))).success(
            lambda ws: self._done(ws, typed)
        ).failure(lambda exc: self._unlock_failed(exc, profile)).run_in_background(net_pool())

    def _start(self, text: str) -> None:
        self.busy = True
        self.banner.hide()
        self.progress.show()
        self.sign_in_button.setText(text)
        self.open_button.setText(text)
        self.pages.setEnabled(False)
        self._revalidate()

    def _stop(self) -> None:
        self.busy = False
        self.progress.hide()
        self.sign_in_button.setText("Sign in")
        self.open_button.setText("Open")
        self.pages.setEnabled(True)
        self._revalidate()

    def _done(self, workspace: Workspace, typed: str) -> None:
        self._stop()
        self.workspace = workspace
        self.passphrase = self.passphrase or typed or None
        self.accept()

    def _failed(self, exc: BaseException, server: str) -> None:
        self._stop()
        self.show_problem(explain(exc, server))

    def _unlock_failed(self, exc: BaseException, profile: Profile) -> None:
        self._stop()
        problem = explain(exc, profile.server_url)
        if problem.needs_sign_in:
            self._prefill(profile, locked=False)
        self.show_problem(problem)

    def show_problem(self, problem: Explained) -> None:
        if problem.field == "password":
            self.password.show_error(problem.text)
        elif problem.field == "passphrase":
            target = self.unlock_pass if self.pages.currentIndex() == 0 else self.new_pass
            target.show_error(problem.text)
        else:
            self.banner.show_message(problem.text, kind=problem.kind)

    def submit(self, server: str, email: str, password: str) -> None:
        """Fill the sign-in form and send it (``cnc-client gui --server ...``)."""
        self._go(1)
        self.server.set_text(server)
        self.email.set_text(email)
        self.password.set_text(password)
        self.sign_in()
