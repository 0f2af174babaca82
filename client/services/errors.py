"""Why a local write was refused; nothing of a refused write reaches the replica or the outbox."""

from __future__ import annotations


class InvalidWrite(ValueError):
    """A value that does not fit its column or a constraint; ``field`` names it when known."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RowNotFound(LookupError):
    """No live row with that id in the replica."""


class AppendOnlyTable(InvalidWrite):
    """Append-only facts (DESIGN 6.3) are inserted, never edited or deleted."""
