"""Every model of the domain; importing this module registers them all on ``Base.metadata``."""
from __future__ import annotations

from shared_models.base import Base
from shared_models.models.tenancy import Location, Tenant, User

__all__ = ["Base", "Location", "Tenant", "User"]
