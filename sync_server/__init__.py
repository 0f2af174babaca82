"""C&C CRM sync server: authoritative PostgreSQL store behind a FastAPI app."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cnc-crm")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
