"""What every screen gets: the open workspace and the one change signal (Anki's ``operation_did_execute``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from client.services.workspace import Workspace


class ChangeHub(QObject):
    """One signal after any local write or sync download: the set of tables touched."""

    changed = Signal(object)

    def announce(self, tables: set[str]) -> None:
        if tables:
            self.changed.emit(set(tables))


@dataclass
class AppContext:
    workspace: Workspace
    hub: ChangeHub = field(default_factory=ChangeHub)
