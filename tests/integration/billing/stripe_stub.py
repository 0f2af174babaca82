"""A loopback stand-in for Stripe's API (the external service), for the official client.

It answers ``POST /v1/payment_intents``, ``GET /v1/payment_intents/{id}`` and
``POST /v1/refunds`` with the documented JSON shapes, replays the first answer
for a repeated ``Idempotency-Key`` as Stripe does, and records every request
(method, path, headers, form fields) for the test to assert on.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class StripeStub:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    #: Status the next refunds get ("succeeded", "pending", "failed").
    refund_status: str = "succeeded"
    #: (http status, error object) answered to the next request instead, once.
    fail_next: tuple[int, dict[str, Any]] | None = None

    def posts(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == path]

    def answer(self, method: str, path: str, headers: dict[str, str], form: dict[str, str]):
        self.requests.append(Recorded(method, path, headers, form))
        if self.fail_next is not None:
            status, error = self.fail_next
            self.fail_next = None
            return status, {"error": error}
        key = headers.get("idempotency-key")
        if method == "POST" and key in self.replies:
            return self.replies[key]
        reply = self._route(method, path, form)
        if method == "POST" and key:
            self.replies[key] = reply
        return reply

    def _route(self, method: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        meta = {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")}
        if (method, path) == ("POST", "/v1/payment_intents"):
            pid = f"pi_{uuid.uuid4().hex[:24]}"
            intent = {
                "id": pid,
                "object": "payment_intent",
                "amount": int(form["amount"]),
                "currency": form["currency"],
                "status": "requires_payment_method",
                "client_secret": f"{pid}_secret_{uuid.uuid4().hex[:16]}",
                "metadata": meta,
                "livemode": False,
            }
            self.intents[pid] = intent
            return 200, intent
        if method == "GET" and path.startswith("/v1/payment_intents/"):
            intent = self.intents.get(path.rsplit("/", 1)[1])
            if intent is None:
                return 404, {"error": {"type": "invalid_request_error", "message": "No such"}}
            return 200, intent
        if (method, path) == ("POST", "/v1/refunds"):
            return 200, {
                "id": f"re_{uuid.uuid4().hex[:24]}",
                "object": "refund",
                "amount": int(form["amount"]),
                "currency": "cad",
                "payment_intent": form["payment_intent"],
                "status": self.refund_status,
                "metadata": meta,
            }
        return 404, {"error": {"type": "invalid_request_error", "message": "unknown path"}}


class _Handler(BaseHTTPRequestHandler):
    stub: StripeStub

    def _reply(self, method: str) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, payload = self.stub.answer(
            method, self.path.split("?", 1)[0], headers, dict(parse_qsl(body))
        )
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("request-id", f"req_{uuid.uuid4().hex[:14]}")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self._reply("POST")

    def do_GET(self) -> None:
        self._reply("GET")

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def stripe_stub() -> Iterator[StripeStub]:
    """Serve a fresh stub on 127.0.0.1 until the block exits."""
    stub = StripeStub()
    handler = type("Handler", (_Handler,), {"stub": stub})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="stripe-stub", daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
