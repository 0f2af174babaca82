"""What ``seed_demo`` hands back: the tenant, the sign-in accounts and the row counts."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class DemoAccount:
    """A person who can sign in to the demo, with the password the seed gave them."""

    email: str
    password: str
    role: str
    scope: str
    location_code: str
    location_name: str
    full_name: str


@dataclass
class DemoResult:
    tenant_id: uuid.UUID
    accounts: list[DemoAccount]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


def write_demo_accounts(path: Path | str, result: DemoResult) -> Path:
    """Write the accounts as JSON readable by the owner only (it holds passwords)."""
    target = Path(path)
    payload = {
        "tenant_id": str(result.tenant_id),
        "accounts": [asdict(account) for account in result.accounts],
    }
    # Create with 0600 from the start: a chmod after writing leaves a window.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2)
        handle.write("\n")
    os.chmod(target, 0o600)  # an existing file keeps its old mode through O_TRUNC
    return target


def format_accounts_table(result: DemoResult) -> str:
    """A fixed-width table of the accounts for the CLI to print."""
    headers = ("EMAIL", "PASSWORD", "ROLE", "SCOPE", "LOCATION", "NAME")
    rows = [
        (a.email, a.password, a.role, a.scope, a.location_code, a.full_name)
        for a in result.accounts
    ]
    widths = [max(len(str(r[i])) for r in (headers, *rows)) for i in range(len(headers))]
    lines = [
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (headers, *rows)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
