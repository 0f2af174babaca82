"""Every model of the domain; importing this package registers them all on ``Base.metadata``.

Each module declares ``__all__``; this package re-exports them so callers
write ``from shared_models.models import Quote``.
"""

from __future__ import annotations

from sqlalchemy import Table

from shared_models.base import Base
from shared_models.models.access import *  # noqa: F403
from shared_models.models.comms import *  # noqa: F403
from shared_models.models.finance import *  # noqa: F403
from shared_models.models.fleet import *  # noqa: F403
from shared_models.models.integration import *  # noqa: F403
from shared_models.models.inventory import *  # noqa: F403
from shared_models.models.jobs import *  # noqa: F403
from shared_models.models.pricing import *  # noqa: F403
from shared_models.models.reporting import *  # noqa: F403
from shared_models.models.sales import *  # noqa: F403
from shared_models.models.scheduling import *  # noqa: F403
from shared_models.models.tenancy import *  # noqa: F403


def model_classes() -> list[type[Base]]:
    """All mapped classes, in a stable order (by table name)."""
    classes = [mapper.class_ for mapper in Base.registry.mappers]
    return sorted(classes, key=lambda cls: cls.__tablename__)


def synced_tables() -> list[Table]:
    """Tables replicated to clients, in dependency order (parents first)."""
    synced = {cls.__tablename__ for cls in model_classes() if cls.__synced__}
    return [t for t in Base.metadata.sorted_tables if t.name in synced]


def model_for_table(name: str) -> type[Base]:
    """The mapped class for a wire table name (``quote_item`` -> ``QuoteItem``)."""
    for cls in model_classes():
        if cls.__tablename__ == name:
            return cls
    raise KeyError(f"unknown table {name!r}")
