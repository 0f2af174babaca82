"""Sync issues: every change the server did not take, why, and yours beside the server's value.

"Edit and retry" opens the attempted values for editing (checked as you type
with the wire codec) and queues them again (``retry_rejection``); "Discard"
keeps the server's version (``discard_rejection``). Both run on the database
worker; the list reloads after each and after every sync.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from client.services.sync_issues import SyncIssue, check_value, display, humanize_table, open_issues
from client.ui import format as fmt
from client.ui.context import AppContext
from client.ui.detail_pane import DetailPane
from client.ui.fields import Field
from client.ui.paged_model import Column, ListSource, PagedTableModel
from client.ui.tables import make_table, size_columns
from client.ui.tasks import Op
from client.ui.widgets import Card, PageHeader, button, label, list_and_pane, page_layout

COLUMNS: list[Column[SyncIssue]] = [
    Column("Record", lambda i: humanize_table(i.table), width=100),
    Column("Change", lambda i: i.what, width=230),
    Column("Reason", lambda i: i.explanation.rstrip("."), width=260),
    Column("When", lambda i: fmt.ago(i.when), width=100),
]
DIFF_STYLE = "background:#fff4e5; border-radius:4px; padding:2px 6px; font-weight:600;"
SAME_STYLE = "padding:2px 6px;"


class RetryDialog(QDialog):
    """The attempted values, editable where it makes sense; OK once every field passes."""

    def __init__(self, issue: SyncIssue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit and retry")
        self.issue = issue
        self.fields: dict[str, Field] = {}
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 18, 20, 16)
        box.setSpacing(10)
        box.addWidget(label(issue.what, "DetailTitle"))
        box.addWidget(label(issue.explanation, "Muted", wrap=True))
        for diff in issue.fields:
            if not diff.editable:
                continue
            server = f"Server: {display(diff.server)}" if issue.server_exists else ""
            field = Field(fmt.humanize(diff.name), self._check(diff.name), placeholder=server)
            field.set_text("" if diff.yours is None else display(diff.yours))
            field.edit.textEdited.connect(self._refresh)
            self.fields[diff.name] = field
            box.addWidget(field)
            if server:
                box.addWidget(label(server, "Muted"))
        row = QHBoxLayout()
        row.addStretch(1)
        cancel = button("Cancel")
        self.ok = button("Retry", primary=True)
        row.addWidget(cancel)
        row.addWidget(self.ok)
        box.addLayout(row)
        cancel.clicked.connect(self.reject)
        self.ok.clicked.connect(self.accept)
        self.setMinimumWidth(460)
        self._refresh()

    def _check(self, name: str) -> Any:
        return lambda text: check_value(self.issue.table, name, text)[1]

    def _refresh(self, *_: object) -> None:
        self.ok.setEnabled(all(f.error() is None for f in self.fields.values()))

    def changes(self) -> dict[str, Any]:
        """The attempted change with the edited values (wire form)."""
        out = dict(self.issue.changes)
        for name, field in self.fields.items():
            out[name] = check_value(self.issue.table, name, field.text)[0]
        return out


class SyncIssuesView(QWidget):
    """``reloaded(count)`` once the list shows the replica's open issues."""

    reloaded = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.store = ctx.workspace.store
        self.writes = ctx.workspace.writes
        self.issues: list[SyncIssue] = []
        self.current: SyncIssue | None = None
        self.header = PageHeader("Sync issues", "")
        self.model: PagedTableModel[SyncIssue] = PagedTableModel(COLUMNS, parent=self)
        self.table = make_table(COLUMNS, self)  # type: ignore[arg-type]
        self.table.setModel(self.model)
        size_columns(self.table, COLUMNS, stretch=2)  # type: ignore[arg-type]
        self.pane = DetailPane("Select an issue to compare your change with the server's.")
        self.pane.setMinimumWidth(440)
        # Outside the pane, which deletes its widgets when it shows another issue: a
        # button must outlive its own click (the retry dialog runs inside it).
        self.retry_button = button("Edit and retry…", primary=True)
        self.discard_button = button("Discard my change")
        self.retry_button.clicked.connect(lambda: self.edit_and_retry())
        self.discard_button.clicked.connect(self.discard)
        self.actions = QWidget()
        row = QHBoxLayout(self.actions)
        row.setContentsMargins(4, 0, 8, 4)
        row.addWidget(self.discard_button)
        row.addStretch(1)
        row.addWidget(self.retry_button)
        self.actions.hide()
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.pane, 1)
        column.addWidget(self.actions)
        page_layout(self, self.header, body=list_and_pane(self.table, side, (740, 460)))
        self.table.selectionModel().selectionChanged.connect(self._selected)
        ctx.hub.changed.connect(lambda _tables: self.reload())
        self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        Op(parent=self, op=lambda: open_issues(self.store)).success(self._show).run_in_background()

    def _show(self, issues: list[SyncIssue]) -> None:
        keep = self.current.id if self.current else None
        self.issues = issues
        self.model.set_source(ListSource(issues))
        n = len(issues)
        self.header.subtitle.setText(
            f"{n} change{'s' if n != 1 else ''} the server did not take as sent"
            if n
            else "Everything you changed reached the server."
        )
        ids = [i.id for i in issues]
        if keep in ids:
            self.table.selectRow(ids.index(keep))
        else:
            self.current = None
            self.pane.clear()
            self.actions.hide()
        self.reloaded.emit(n)

    def _selected(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = selected.indexes()
        issue = self.model.row(rows[0]) if rows else None
        if issue is not None:
            self.current = issue
            self.pane.show_widgets(self._detail(issue))

    def _detail(self, issue: SyncIssue) -> list[QWidget]:
        top = Card()
        top.body.addWidget(label(issue.what, "DetailTitle", wrap=True))
        top.body.addWidget(label(issue.explanation, wrap=True))
        if issue.detail and issue.reason != "overruled":
            top.body.addWidget(label(f"Server said: {issue.detail}", "Muted", wrap=True))
        top.body.addWidget(label(f"Refused {fmt.ago(issue.when)}", "Muted"))
        compare = Card("Your change and the server's")
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        for col, title in enumerate(("Field", "Your value", "Server value")):
            grid.addWidget(label(title, "SectionTitle"), 0, col)
        for number, diff in enumerate(issue.fields, start=1):
            grid.addWidget(label(fmt.humanize(diff.name), "Muted"), number, 0)
            server = display(diff.server) if issue.server_exists else "(not on the server)"
            for col, text in ((1, display(diff.yours)), (2, server)):
                cell = label(text, wrap=True)
                cell.setStyleSheet(DIFF_STYLE if diff.differs else SAME_STYLE)
                grid.addWidget(cell, number, col)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        compare.body.addLayout(grid)
        self.retry_button.setEnabled(any(f.editable for f in issue.fields) or issue.op == "delete")
        self.actions.show()
        return [top, compare]

    # -- fixes ---------------------------------------------------------------------------

    def edit_and_retry(self, changes: dict[str, Any] | None = None) -> None:
        """Ask for the corrected values (unless given), then queue the change again."""
        issue = self.current
        if issue is None:
            return
        if changes is None:
            # open(), not exec(): a nested event loop inside this click handler would let a
            # sync reload the view and delete the very button whose handler is running.
            dialog = RetryDialog(issue, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.accepted.connect(lambda: self._queue_retry(issue, dialog.changes()))
            dialog.open()
            return
        self._queue_retry(issue, changes)

    def _queue_retry(self, issue: Any, changes: dict[str, Any]) -> None:
        wanted = None if issue.op == "delete" else changes
        Op(parent=self, op=lambda: self.writes.retry_rejection(issue.id, wanted)).success(
            lambda _: self._done()
        ).failure(self._failed).run_in_background()

    def discard(self) -> None:
        issue = self.current
        if issue is not None:
            Op(parent=self, op=lambda: self.writes.discard_rejection(issue.id)).success(
                lambda _: self._done()
            ).failure(self._failed).run_in_background()

    def _done(self) -> None:
        self.current = None
        self.reload()
        window = self.window()
        refresh = getattr(window, "refresh_status", None)
        if callable(refresh):
            refresh()

    def _failed(self, exc: BaseException) -> None:
        self.header.subtitle.setText(f"Could not do that: {exc}")
