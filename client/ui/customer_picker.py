"""Choose the customer of a new quote: type to search (full text), Enter or double-click to pick.

Given the app context, "New customer…" opens the customer form; the customer
it creates is the one picked.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client.replica.store import LocalStore
from client.services.lists import CustomerRow, customer_page, search_customers
from client.ui.context import AppContext
from client.ui.customer_form import CustomerForm
from client.ui.tasks import Op
from client.ui.widgets import SearchBox, button, label

FIRST = 100


class CustomerPicker(QDialog):
    def __init__(
        self, store: LocalStore, parent: QWidget | None = None, *, ctx: AppContext | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New quote")
        self.store = store
        self.ctx = ctx
        self.new_button = button("New customer…", flat=True)
        self.new_button.setVisible(ctx is not None)
        self.form: CustomerForm | None = None
        self.customer_id: uuid.UUID | None = None
        self._query = ""
        self.search = SearchBox("Search customers by name, company, email or phone")
        self.results = QListWidget()
        self.results.setMinimumSize(480, 320)
        self.ok = button("Create quote", primary=True)
        cancel = button("Cancel")
        box = QVBoxLayout(self)
        box.setContentsMargins(20, 18, 20, 16)
        box.addWidget(label("Who is the quote for?", "DetailTitle"))
        box.addWidget(self.search)
        box.addWidget(self.results, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.ok)
        box.addLayout(row)
        self.search.search.connect(self.run_search)
        self.results.itemDoubleClicked.connect(lambda _: self._pick())
        self.results.currentRowChanged.connect(lambda r: self.ok.setEnabled(r >= 0))
        self.ok.clicked.connect(self._pick)
        cancel.clicked.connect(self.reject)
        self.new_button.clicked.connect(self.new_customer)
        self.ok.setEnabled(False)
        self.run_search("")

    def run_search(self, text: str) -> None:
        self._query = text
        store = self.store
        if text:
            op = lambda: search_customers(store, text)
        else:
            op = lambda: list(customer_page(store, offset=0, limit=FIRST))
        Op(parent=self, op=op).success(lambda rows: self._show(text, rows)).run_in_background()

    def _show(self, text: str, rows: list[CustomerRow]) -> None:
        if text != self._query:
            return
        self.results.clear()
        for row in rows:
            where = ", ".join(p for p in (row.city, row.province) if p)
            detail = " · ".join(p for p in (row.email, row.phone, where) if p)
            item = QListWidgetItem(f"{row.name}\n{detail}" if detail else row.name)
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.results.addItem(item)
        if rows:
            self.results.setCurrentRow(0)

    def _pick(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self.customer_id = item.data(Qt.ItemDataRole.UserRole)
            self.accept()

    def new_customer(self) -> None:
        """The customer form; the new customer becomes the quote's."""
        if self.ctx is None:
            return
        form = CustomerForm(self.ctx, parent=self)
        form.saved.connect(self._created)
        self.form = form
        form.open()

    def _created(self, customer_id: object) -> None:
        if isinstance(customer_id, uuid.UUID):
            self.customer_id = customer_id
            self.accept()
