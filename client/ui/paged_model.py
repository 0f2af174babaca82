"""A table model that holds a lazy page cache over a ``PageSource`` (Qt's fetchMore contract).

The data lives in the service layer; this model only adapts it: it knows
the total, holds the rows fetched so far, and asks for the next page when
the view scrolls near the end. Each page is one bounded, index-backed
query, so it runs inline like Qt expects of ``fetchMore``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
PAGE_SIZE = 200
#: Role of the row object itself (whole-row access for panes and delegates).
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    text: Callable[[R], str]
    align: Qt.AlignmentFlag = LEFT
    #: The service's sort key for this column; None: not sortable.
    sort: str | None = None
    #: ``Qt.UserRole`` data, e.g. the status a chip delegate colours by.
    tag: Callable[[R], Any] | None = None
    width: int | None = None


class PageSource(Protocol[R]):  # type: ignore[misc]
    """What the model pages through; implemented over ``client.services``."""

    def count(self) -> int: ...

    def page(self, offset: int, limit: int) -> Sequence[R]: ...


class ListSource(Generic[R]):
    """Rows already in memory (search results) as a source."""

    def __init__(self, rows: Sequence[R]) -> None:
        self.rows = list(rows)

    def count(self) -> int:
        return len(self.rows)

    def page(self, offset: int, limit: int) -> Sequence[R]:
        return self.rows[offset : offset + limit]


class PagedTableModel(QAbstractTableModel, Generic[R]):
    """Rows are fetched a page at a time; ``total`` is known up front for the header."""

    sort_requested = Signal(str, bool)
    reloaded = Signal(int)

    def __init__(
        self,
        columns: Sequence[Column[R]],
        source: PageSource[R] | None = None,
        *,
        page_size: int = PAGE_SIZE,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.page_size = page_size
        self.source: PageSource[R] | None = None
        self.rows: list[R] = []
        self.total = 0
        self.sort_key: tuple[str, bool] | None = None
        self._resetting = self._fetching = False
        if source is not None:
            self.set_source(source)

    # -- data ----------------------------------------------------------------------

    def set_source(self, source: PageSource[R]) -> None:
        """Show ``source`` from its first page (a reset: selection and scroll start over)."""
        # No fetching while the reset is being announced: listeners of modelReset
        # (views, QAbstractItemModelTester) must see the reset finish first.
        self._resetting = True
        try:
            self.beginResetModel()
            self.source = source
            self.total = source.count()
            self.rows = list(source.page(0, self.page_size)) if self.total else []
            self.endResetModel()
        finally:
            self._resetting = False
        self.reloaded.emit(self.total)

    def reload(self) -> None:
        if self.source is not None:
            self.set_source(self.source)

    def row(self, index: Index | int) -> R | None:
        number = index if isinstance(index, int) else index.row()
        return self.rows[number] if 0 <= number < len(self.rows) else None

    # -- Qt model ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self.source is None or self._resetting or self._fetching:
            return False
        return len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent) or self.source is None:
            return
        start = len(self.rows)
        more = list(self.source.page(start, self.page_size))
        if not more:  # rows went away since the count: stop asking
            self.total = start
            return
        # Views answer the insert by scrolling, which asks for more again: not re-entrant.
        self._fetching = True
        try:
            self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()
        finally:
            self._fetching = False

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align.value)
        if role == Qt.ItemDataRole.UserRole and column.tag is not None:
            return column.tag(row)
        if role == ROW_ROLE:
            return row
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(self.columns[section].align.value)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the service's job: ask the owner for a source in the new order."""
        if not 0 <= column < len(self.columns) or self.columns[column].sort is None:
            return
        key = (str(self.columns[column].sort), order == Qt.SortOrder.DescendingOrder)
        if key != self.sort_key:
            self.sort_key = key
            self.sort_requested.emit(*key)
