"""One ``SyncProtocol`` interface; ``HttpSyncProtocol`` speaks it over HTTP with httpx.

The engine depends on the interface, not on httpx, so a test can put a faulty
transport (dropped requests, lost answers) between it and the real server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from client.sync.errors import ProtocolError, ServerUnavailable, SyncError, error_for
from shared_models.sync.wire import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    SCHEMA_HEADER,
    SCHEMA_VERSION,
    ChecksumsResponse,
    LoginRequest,
    LoginResponse,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Tokens:
    """What a refresh returns: a new access token and the rotated refresh token."""

    access_token: str
    refresh_token: str
    expires_in: int
    lease_key: str | None = None
    lease_expires_at: str | None = None


class SyncProtocol(Protocol):
    """What the engine needs from a server; every call may raise a ``SyncError``."""

    def login(self, request: LoginRequest) -> LoginResponse: ...

    def refresh(self, refresh_token: str) -> Tokens: ...

    def logout(self, refresh_token: str) -> None: ...

    def pull(self, request: PullRequest, *, token: str) -> PullResponse: ...

    def push(self, request: PushRequest, *, token: str) -> PushResponse: ...

    def checksums(self, buckets: list[str], *, token: str) -> ChecksumsResponse: ...


class HttpSyncProtocol:
    """The ``/v1`` protocol over httpx; errors become the typed exceptions of ``errors``."""

    def __init__(
        self, base_url: str, transport: httpx.BaseTransport | None = None, *, timeout: float = 30.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={
                PROTOCOL_HEADER: str(PROTOCOL_VERSION),
                SCHEMA_HEADER: str(SCHEMA_VERSION),
                # zstd decodes ~5x faster than gzip (httpx uses the zstandard package).
                "Accept-Encoding": "zstd, gzip",
                "User-Agent": "cnc-client",
            },
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the protocol ---------------------------------------------------------

    def login(self, request: LoginRequest) -> LoginResponse:
        return self.request("POST", "/v1/auth/login", LoginResponse, body=request)

    def refresh(self, refresh_token: str) -> Tokens:
        data = self.request("POST", "/v1/auth/refresh", None, body={"refresh_token": refresh_token})
        try:
            return Tokens(
                access_token=data["access_token"],
                refresh_token=data["refresh_token"],
                expires_in=int(data.get("expires_in", 0)),
                lease_key=data.get("lease_key"),
                lease_expires_at=data.get("lease_expires_at"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ProtocolError(f"unexpected refresh answer: {exc}") from exc

    def logout(self, refresh_token: str) -> None:
        self.request("POST", "/v1/auth/logout", None, body={"refresh_token": refresh_token})

    def pull(self, request: PullRequest, *, token: str) -> PullResponse:
        return self.request("POST", "/v1/sync/pull", PullResponse, body=request, token=token)

    def push(self, request: PushRequest, *, token: str) -> PushResponse:
        return self.request("POST", "/v1/sync/push", PushResponse, body=request, token=token)

    def checksums(self, buckets: list[str], *, token: str) -> ChecksumsResponse:
        return self.request(
            "GET",
            "/v1/sync/checksums",
            ChecksumsResponse,
            token=token,
            params={"buckets": ",".join(buckets)},
        )

    def events(self, *, token: str, read_timeout: float = 60.0) -> Iterator[dict[str, str]]:
        """Server-sent events of ``/v1/sync/events``: yields ``{event, data}`` per message."""
        timeout = httpx.Timeout(10.0, read=read_timeout)
        try:
            with self._client.stream(
                "GET", "/v1/sync/events", headers=_auth(token), timeout=timeout
            ) as response:
                if response.status_code >= 400:
                    raise _error(response, response.read())
                yield from _parse_sse(response.iter_lines())
        except httpx.TransportError as exc:
            raise ServerUnavailable(f"live channel lost: {exc}") from exc

    # -- any endpoint ---------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        model: type[M] | None,
        *,
        body: Any = None,
        token: str | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """The one way the client calls the server: sync, admin, planning and payments alike.

        Same base URL, protocol-version headers and error mapping everywhere; the
        answer is parsed into ``model`` (or returned as JSON when it is None).
        """
        if isinstance(body, BaseModel):
            body = body.model_dump(mode="json")
        request = self._client.build_request(
            method, path, json=body, params=params, headers=_auth(token)
        )
        try:
            # The body is read here rather than into the response: an httpx response is
            # a reference cycle (its stream points back at it), so a body kept in it
            # lives until the cycle collector runs, ~5 MB per pull page.
            response = self._client.send(request, stream=True)
            try:
                content = b"".join(response.iter_bytes())
            finally:
                response.close()
        except httpx.TransportError as exc:  # connect error, timeout, reset mid-body
            raise ServerUnavailable(f"cannot reach {self.base_url}: {exc}") from exc
        except httpx.DecodingError as exc:
            raise ProtocolError(f"{path}: the answer could not be decoded: {exc}") from exc
        if response.status_code >= 400:
            raise _error(response, content)
        if model is None:
            try:
                return json.loads(content) if content else {}
            except ValueError as exc:
                raise ProtocolError(f"{path}: answer is not JSON") from exc
        try:
            return model.model_validate_json(content)
        except ValidationError as exc:
            raise ProtocolError(f"{path}: unexpected answer: {exc.errors()[:3]}") from exc


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _error(response: httpx.Response, content: bytes) -> SyncError:
    try:
        body = json.loads(content) if content else {}
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    retry_after = response.headers.get("Retry-After")
    try:
        delay = float(retry_after) if retry_after else None
    except ValueError:
        delay = None
    details = body.get("details") if isinstance(body.get("details"), dict) else {}
    code = body.get("error") if isinstance(body.get("error"), str) else None
    message = body.get("message") if isinstance(body.get("message"), str) else ""
    return error_for(response.status_code, code, message, details, delay)


def _parse_sse(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    event, data = "message", []
    for line in lines:
        if not line:
            if data or event != "message":
                yield {"event": event, "data": "\n".join(data)}
            event, data = "message", []
        elif line.startswith(":"):
            continue  # keep-alive comment
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)


def event_buckets(message: dict[str, str]) -> set[str] | None:
    """Bucket names an event is about; None when the event does not say (treat as all)."""
    try:
        payload = json.loads(message.get("data") or "null")
    except ValueError:
        return None
    if isinstance(payload, dict) and isinstance(payload.get("buckets"), list):
        return {str(b) for b in payload["buckets"]}
    return None
