"""Photos travel inside rows: pushes and pull pages are cut by bytes, not only by count.

Twelve 2 MB photos would be a 24 MB push and a 24 MB pull page if only row
counts bounded them; the client cuts its pushes at PUSH_BATCH_BYTES and the
server its pages at PULL_PAGE_BYTES (one oversized row still travels, alone).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import socket

import httpx

from shared_models.sync.wire import PULL_PAGE_BYTES, PUSH_BATCH_BYTES

PHOTOS = 12
PHOTO_BYTES = 1_500_000  # about 2 MB once base64-encoded: incompressible, like a JPEG


def _photo_payload(i: int) -> dict[str, object]:
    data = base64.b64encode(os.urandom(PHOTO_BYTES)).decode("ascii")
    return {"caption": f"Scratch {i}", "jpeg_base64": data, "width": 1600, "height": 1200}


def test_photos_are_pushed_and_pulled_in_pieces_that_fit_the_byte_budgets(
    scene,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    lead = make_client(scene.accounts["lead1"], "lead")
    lead.sync()
    journey = scene.rows["j1"]

    pushed: list[int] = []
    real_push = lead.protocol.push

    def measured_push(request, *, token):  # type: ignore[no-untyped-def]
        pushed.append(sum(len(json.dumps(m.changes)) for m in request.mutations))
        return real_push(request, token=token)

    lead.protocol.push = measured_push  # type: ignore[method-assign]
    writes = lead.writes
    with writes.batch() as batch:
        for i in range(PHOTOS):
            batch.insert(
                "journey_event",
                {
                    "journey_id": journey,
                    "event_type": "PHOTO",
                    "occurred_at": dt.datetime(2026, 6, 2, 9, i, tzinfo=dt.UTC),
                    "recorded_by": lead.session.user["id"],
                    "payload": _photo_payload(i),
                },
            )
    lead.sync()
    assert lead.engine.status().pending == 0
    photo = PHOTO_BYTES * 4 // 3 + 200
    assert len(pushed) >= 3, pushed  # 24 MB in 8 MB pieces
    assert all(size <= PUSH_BATCH_BYTES + photo for size in pushed), pushed

    office = make_client(scene.accounts["disp"], "office")
    pages: list[int] = []
    real_pull = office.protocol.pull

    def measured_pull(request, *, token):  # type: ignore[no-untyped-def]
        page = real_pull(request, token=token)
        pages.append(
            sum(1 for c in page.changes if c["table"] == "journey_event" and c.get("data"))
        )
        return page

    office.protocol.pull = measured_pull  # type: ignore[method-assign]
    office.sync()
    with office.store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        got = raw.execute(
            "SELECT count(*) FROM journey_event WHERE event_type = 'PHOTO'"
        ).fetchone()[0]
    assert got == PHOTOS
    per_page = PULL_PAGE_BYTES // photo + 1
    assert max(pages) <= per_page and sum(pages) >= PHOTOS, pages


def test_a_body_over_the_servers_limit_is_refused_with_413_before_it_is_read(
    base_url: str,
) -> None:
    from shared_models.sync.wire import MAX_REQUEST_BYTES

    # A declared length over the limit: answered from the headers alone (raw socket, since
    # an HTTP client will not send fewer bytes than it declares).
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/sync/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {MAX_REQUEST_BYTES + 1}\r\n\r\n".encode()
            + b"{}"
        )
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert '"payload_too_large"' in answer

    def chunks():  # type: ignore[no-untyped-def]
        block = b" " * (1024 * 1024)
        for _ in range(MAX_REQUEST_BYTES // len(block) + 2):
            yield block

    streamed = httpx.post(f"{base_url}/v1/sync/push", content=chunks())
    assert streamed.status_code == 413
    assert streamed.json()["error"] == "payload_too_large"
