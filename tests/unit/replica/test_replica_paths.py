"""Where replicas live: one stable, safe directory per (server, user)."""

from __future__ import annotations

import re
from pathlib import Path

from client.replica.paths import replica_dir, replica_id


def test_same_server_and_user_give_the_same_directory_despite_spelling() -> None:
    a = replica_id("https://CRM.Example.com:443/", "Dana@Example.com")
    b = replica_id("https://crm.example.com", " dana@example.com ")
    assert a == b


def test_other_server_user_or_port_give_another_directory() -> None:
    base = replica_id("https://crm.example.com", "dana@example.com")
    assert replica_id("https://crm.example.com", "lee@example.com") != base
    assert replica_id("https://other.example.com", "dana@example.com") != base
    assert replica_id("https://crm.example.com:8443", "dana@example.com") != base
    assert replica_id("http://crm.example.com", "dana@example.com") != base


def test_name_is_filesystem_safe_and_readable() -> None:
    rid = replica_id("https://crm.example.com/tenant/../x?q=1", "O'Brien+crew/1@example.com")
    assert re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{16}", rid)
    assert "crm-example-com" in rid


def test_directory_is_under_the_overridable_data_dir(data_dir: Path) -> None:
    directory = replica_dir("https://crm.example.com", "dana@example.com")
    assert directory.parent.parent == data_dir
    assert not directory.exists()  # locating a replica never creates anything
