"""The only write path of the UI: local writes that also queue their sync mutation."""

from __future__ import annotations

from client.services.errors import AppendOnlyTable, InvalidWrite, RowNotFound
from client.services.queries import count_rows, get_row, list_rows
from client.services.writes import LocalWriteService

__all__ = [
    "AppendOnlyTable",
    "InvalidWrite",
    "LocalWriteService",
    "RowNotFound",
    "count_rows",
    "get_row",
    "list_rows",
]
