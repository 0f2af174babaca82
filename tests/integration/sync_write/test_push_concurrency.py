"""Concurrent pushes of one tenant: each merges against the row as the writer before it left it."""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session

from shared_models.models import Quote
from shared_models.sync.hlc import Hlc
from sync_server.sync.writer import Actor, SyncWriter
from tests.integration.sync_write.conftest import fetch


def test_a_push_waiting_on_another_writer_merges_against_its_committed_change(
    pusher, world, engine
) -> None:
    """Rows are read under the tenant write lock, never before it.

    Writer X holds the lock with an uncommitted edit of the quote's notes; push B
    (based on the old notes) arrives meanwhile and must wait. Had B read the row
    before taking the lock, it would merge against the stale "orig", apply over
    X's committed text and report "applied": X's edit silently lost.
    """
    b = pusher("dispatcher", "nodeB")
    now = time.time_ns() // 1_000_000
    with Session(engine) as x:
        writer = SyncWriter(x, Actor(world.tenant, world.users["admin"], role="ADMIN"))
        writer.update("quote", world.quote, {"notes": "from X"}, hlc=Hlc(now, 0, "nodeX"))
        writer.finish()
        answer: list = []
        late = b.mutation(
            "quote",
            "update",
            world.quote,
            changes={"notes": "from B"},
            base={"notes": "orig"},
            hlc=str(Hlc(now - 60_000, 0, "nodeB")),
        )
        thread = threading.Thread(target=lambda: answer.append(b.push(late)))
        thread.start()
        time.sleep(0.5)  # B is now waiting for the tenant lock
        assert thread.is_alive()
        x.commit()
    thread.join(30)
    (result,) = answer[0].results
    assert (result.status, result.reason) == ("conflict_resolved", "lww")
    assert [(c.field, c.winner, c.client_value) for c in result.conflicts] == [
        ("notes", "server", "from B")
    ]
    assert fetch(engine, Quote, world.quote).notes == "from X"
