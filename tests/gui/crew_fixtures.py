"""A crew lead's day on top of the e2e scene, and a network cable the tests can pull.

``crew_day`` adds, through the server's write path: two customers with phones,
two journeys today for ``lead1`` (8:00 and 14:00 Toronto time, crew and truck T1),
and dollies and straps next to the scene's 100 blankets. ``network`` is a TCP
relay on 127.0.0.1 in front of the live server: ``off()`` drops every
connection and refuses new ones, as a field laptop out of coverage sees it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from shared_models.ids import uuid7
from shared_models.rules.scheduling.intervals import local_to_utc
from tests.utils.e2e import Scene, ServerDb

UTC = dt.UTC


@dataclass
class CrewDay:
    morning: uuid.UUID
    afternoon: uuid.UUID
    truck: uuid.UUID
    blankets: uuid.UUID
    dollies: uuid.UUID
    straps: uuid.UUID


#: The zone of the scene's branch (``tests/utils/e2e.py``): crew times are read on its clock.
BRANCH_TZ = "America/Toronto"


def _local(day: dt.date, hour: int) -> dt.datetime:
    return local_to_utc(day, dt.time(hour), BRANCH_TZ)


def build_crew_day(scene: Scene, server: ServerDb, day: dt.date | None = None) -> CrewDay:
    day = day or dt.datetime.now(ZoneInfo(BRANCH_TZ)).date()
    loc = scene.locations[0]
    ids: dict[str, uuid.UUID] = {}
    with server.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:

        def put(key: str, table: str, **values: object) -> uuid.UUID:
            ids[key] = scene.rows[key] = uuid7()
            w.insert(table, {"id": ids[key], **values})
            return ids[key]

        w.update("equipment", scene.rows["t1"], {"name": "26 ft box truck"})
        people = [
            ("cm", "Margaux", "Delacroix-Whitfield", "+1 416 555 0142"),
            ("ca", "Tobias", "Okonkwo-Lindgren", "+1 647 555 0187"),
        ]
        for key, first, last, phone in people:
            put(key, "customer", location_id=loc, first_name=first, last_name=last, phone=phone)
        jobs = [
            ("jm", "cm", 8, Decimal(6), "418 Palmerston Blvd", "88 Harbour St, Unit 2104"),
            ("ja", "ca", 14, Decimal(3), "27 Woodbine Ave", "1190 Queen St E"),
        ]
        for key, customer, hour, hours, origin, destination in jobs:
            put(
                key,
                "journey",
                location_id=loc,
                customer_id=ids[customer],
                truck_id=scene.rows["t1"],
                crew_lead_id=scene.user("lead1"),
                scheduled_date=day,
                scheduled_start=_local(day, hour),
                estimated_hours=hours,
                origin_line1=origin,
                origin_city="Toronto",
                origin_province="ON",
                destination_line1=destination,
                destination_city="Toronto",
                destination_province="ON",
                crew_instructions="Piano on the 2nd floor: take the stair climber."
                if key == "jm"
                else None,
            )
            put(
                f"{key}.lead",
                "journey_crew",
                journey_id=ids[key],
                user_id=scene.user("lead1"),
                crew_role="LEAD",
            )
            put(
                f"{key}.mover",
                "journey_crew",
                journey_id=ids[key],
                user_id=scene.user("lead2"),
                crew_role="MOVER",
            )
        for key, sku, name, count in (
            ("dollies", "DOLLY", "Furniture dolly", 12),
            ("straps", "STRAP", "Ratchet strap", 40),
        ):
            put(key, "inventory", location_id=loc, sku=sku, name=name)
            put(
                f"{key}.in",
                "inventory_transaction",
                inventory_id=ids[key],
                type="PURCHASE",
                quantity=Decimal(count),
                occurred_at=dt.datetime(2026, 5, 1, tzinfo=UTC),
                performed_by=scene.user("admin"),
            )
    return CrewDay(
        ids["jm"],
        ids["ja"],
        scene.rows["t1"],
        scene.rows["blankets"],
        ids["dollies"],
        ids["straps"],
    )


class NetworkSwitch:
    """A relay to ``upstream``; ``url`` is what the client talks to."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.online = True
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, name="network-switch", daemon=True).start()

    def off(self) -> None:
        self.online = False
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
            self._open.clear()

    def on(self) -> None:
        self.online = True

    def close(self) -> None:
        self._closed = True
        self.off()
        self.listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.online:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open.update((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            with self._lock:
                self._open.discard(source)


@pytest.fixture
def crew_day(scene: Scene, server_db: ServerDb) -> CrewDay:
    return build_crew_day(scene, server_db)


@pytest.fixture
def network(base_url: str) -> Iterator[NetworkSwitch]:
    switch = NetworkSwitch(base_url)
    yield switch
    switch.close()
