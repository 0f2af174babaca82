"""Who has a replica on this laptop: the accounts the start screen offers to open.

``Profile`` (``client.session``) remembers only the last sign-in; a shared
field laptop has several people, each with their own encrypted replica, so
the list of known accounts is kept beside it (no secrets, like the profile).
"""

from __future__ import annotations

import json
import logging

from client.replica._files import write_private_file
from client.replica.keys import keyring_usable
from client.replica.paths import data_dir, normalise_server_url, replica_db_path, replica_dir
from client.session import Profile

log = logging.getLogger(__name__)

KNOWN_FILE = "known-profiles.json"


def has_replica(server_url: str, email: str) -> bool:
    """Whether this (server, user) already has a replica here (no key needed)."""
    try:
        path = replica_db_path(replica_dir(normalise_server_url(server_url), email))
    except ValueError:
        return False
    return path.is_file() and path.stat().st_size > 0


def needs_passphrase() -> bool:
    """True where no real OS keyring holds the key: the user types a passphrase instead."""
    return not keyring_usable()


def _read() -> list[Profile]:
    try:
        doc = json.loads((data_dir() / KNOWN_FILE).read_text("utf-8"))
        return [Profile(p["server_url"], p["email"], p["user_id"]) for p in doc]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _write(profiles: list[Profile]) -> None:
    body = json.dumps([p.__dict__ for p in profiles], indent=2).encode("utf-8")
    write_private_file(data_dir() / KNOWN_FILE, body)


def known_profiles() -> list[Profile]:
    """Accounts with a replica on this machine, most recently used first."""
    profiles = _read()
    last = Profile.load()
    if last is not None and last not in profiles:
        profiles.insert(0, last)
    return [p for p in profiles if has_replica(p.server_url, p.email)]


def remember(profile: Profile) -> None:
    """Put ``profile`` first in the list (after a sign-in or an unlock)."""
    profiles = [p for p in _read() if p != profile]
    _write([profile, *profiles])
    profile.save()


def forget(profile: Profile) -> None:
    """Drop an account whose replica is gone (device revoked and wiped)."""
    _write([p for p in _read() if p != profile])
