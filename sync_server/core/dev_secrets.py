"""Development-only secrets kept on disk so restarts keep issued tokens valid."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path


def generate_secrets() -> dict[str, str]:
    """A fresh JWT signing key and a base64 AES-256 key."""
    return {
        "secret_key": secrets.token_urlsafe(48),
        "encryption_key": base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
    }


def load_or_create_dev_secrets(path: Path) -> dict[str, str]:
    """Read ``path`` or create it (mode 0600) with new secrets.

    Creation goes through a private temp file and ``os.link`` so two servers
    starting at once agree on one set of keys instead of overwriting each other.
    """
    if path.exists():
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(generate_secrets(), handle)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race: use its keys
    finally:
        tmp.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> dict[str, str]:
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # someone widened it; secrets stay owner-only
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not {"secret_key", "encryption_key"} <= data.keys():
        raise ValueError(f"{path} is not a secrets file; move it away to regenerate")
    return {"secret_key": str(data["secret_key"]), "encryption_key": str(data["encryption_key"])}
