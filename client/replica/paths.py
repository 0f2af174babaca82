"""Where replicas live: one directory per (server, user), stable across runs.

The name is a hash of the normalised server URL and user (so two servers or
two users on one laptop never share a replica) plus a readable slug (so a
support person can tell the directories apart).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from platformdirs import user_data_dir

APP_NAME = "cnc-client"
#: Tests and portable installs point this at their own directory.
DATA_DIR_ENV = "CNC_CLIENT_DATA_DIR"
DB_FILENAME = "replica.db"
WRAPPED_KEY_FILENAME = "replica-key.json"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def data_dir() -> Path:
    """The client's data directory (``$CNC_CLIENT_DATA_DIR`` wins)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(user_data_dir(APP_NAME, appauthor=False))


def normalise_server_url(server_url: str) -> str:
    """Lower-case scheme and host, drop default port, query and trailing slash."""
    parts = urlsplit(server_url.strip())
    scheme = (parts.scheme or "https").lower()
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"server URL without a host: {server_url!r}")
    netloc = host if ":" not in host else f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def normalise_user(user_id_or_email: str) -> str:
    """Emails are case-insensitive in practice; user ids are UUID text."""
    user = user_id_or_email.strip().lower()
    if not user:
        raise ValueError("empty user id or email")
    return user


def replica_id(server_url: str, user_id_or_email: str) -> str:
    """A filesystem-safe, stable name: ``<slug>-<16 hex of sha256>``."""
    server = normalise_server_url(server_url)
    user = normalise_user(user_id_or_email)
    digest = hashlib.sha256(f"{server}\n{user}".encode()).hexdigest()[:16]
    host = urlsplit(server).hostname or "server"
    slug = re.sub(r"[^a-z0-9]+", "-", f"{user.split('@')[0]}-{host}").strip("-")[:40]
    return f"{slug or 'replica'}-{digest}"


def replica_dir_for_id(rid: str) -> Path:
    """The directory of a replica known by its id."""
    if not re.fullmatch(r"[a-z0-9-]{1,80}", rid):
        raise ValueError(f"not a replica id: {rid!r}")
    return data_dir() / "replicas" / rid


def replica_dir(server_url: str, user_id_or_email: str) -> Path:
    """The directory holding this (server, user)'s replica; not created here."""
    return replica_dir_for_id(replica_id(server_url, user_id_or_email))


def replica_db_path(directory: Path) -> Path:
    return directory / DB_FILENAME


def wrapped_key_path(directory: Path) -> Path:
    return directory / WRAPPED_KEY_FILENAME
