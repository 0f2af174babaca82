"""Which client versions this server still serves (DESIGN 6, "Mixed versions").

Field laptops update late: every request names the client's protocol and
replica schema version (``X-CNC-Protocol`` / ``X-CNC-Schema``). The server
accepts every version from the minimums below up to its own, and answers
older clients with ``426 schema_outdated``; such a client keeps working
offline, keeps its outbox, and syncs again once upgraded.

Raise a minimum only together with a note on which client release it drops.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared_models.sync.wire import PROTOCOL_HEADER, PROTOCOL_VERSION, SCHEMA_HEADER, SCHEMA_VERSION
from sync_server.core.errors import ApiError, ErrorCode

#: Oldest request/response shapes the server still speaks.
MIN_PROTOCOL_VERSION = 1
#: Oldest replica schema whose mutations the server can still upgrade and apply.
MIN_SCHEMA_VERSION = 1
#: Requests without the headers (curl, scripts) are taken as the first version.
ASSUMED_VERSION = 1
_MAX_HEADER_LENGTH = 9


@dataclass(frozen=True)
class ClientVersion:
    """What the caller speaks; push uses it to upgrade older mutation shapes."""

    protocol: int
    schema: int


def _parse_header(name: str, value: str | None) -> int:
    if value is None or not value.strip():
        return ASSUMED_VERSION
    text = value.strip()
    if len(text) > _MAX_HEADER_LENGTH or not text.isdigit():
        raise ApiError(
            ErrorCode.VALIDATION_FAILED,
            f"invalid request: header {name} must be a non-negative integer",
            details={
                "fields": [
                    {
                        "path": f"header.{name}",
                        "loc": ["header", name],
                        "message": "must be a non-negative integer",
                        "type": "int_parsing",
                    }
                ]
            },
        )
    return int(text)


def parse_client_version(protocol: str | None, schema: str | None) -> ClientVersion:
    """Read the two version headers; missing ones mean version 1, garbage is refused."""
    return ClientVersion(
        protocol=_parse_header(PROTOCOL_HEADER, protocol),
        schema=_parse_header(SCHEMA_HEADER, schema),
    )


def outdated_details() -> dict[str, int]:
    """What an outdated client needs to tell its user which version to install."""
    return {
        "minimum_protocol": MIN_PROTOCOL_VERSION,
        "minimum_schema": MIN_SCHEMA_VERSION,
        "server_protocol": PROTOCOL_VERSION,
        "server_schema": SCHEMA_VERSION,
    }


def require_supported(version: ClientVersion) -> None:
    """Refuse clients older than the minimums with ``426 schema_outdated``.

    Newer clients are accepted: they know the older protocol they negotiate down to.
    """
    if version.protocol >= MIN_PROTOCOL_VERSION and version.schema >= MIN_SCHEMA_VERSION:
        return
    raise ApiError(
        ErrorCode.SCHEMA_OUTDATED,
        (
            f"this client (protocol {version.protocol}, schema {version.schema}) is too old "
            f"for the server: it needs protocol {MIN_PROTOCOL_VERSION} and schema "
            f"{MIN_SCHEMA_VERSION} or newer; please update the app"
        ),
        details=outdated_details(),
    )
