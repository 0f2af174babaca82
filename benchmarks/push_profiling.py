"""Measuring instruments for ``push_bench.py``: py-spy, cProfile, per-statement and per-push timers.

Each wraps the running server from the outside (the route module's reference to
``push_mutations``, SQLAlchemy engine events, an ASGI wrapper, the cycle
collector's callbacks); nothing in the app changes.
"""

from __future__ import annotations

import collections
import cProfile
import functools
import gc
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PY_SPY = "/tmp/tools/bin/py-spy"
TOP = 30


@contextmanager
def py_spy(binary: str, out: Path) -> Iterator[None]:
    """Sample this process (every thread, idle ones too) until the block ends."""
    proc = subprocess.Popen(
        [binary, "record", "--pid", str(os.getpid()), "--idle", "-f", "raw", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.0)  # let it attach before the first timed push
    if proc.poll() is not None:
        raise RuntimeError(f"py-spy did not start: {proc.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def summarize_raw(path: Path, anchor: str = "push_mutations") -> str:
    """Top functions of the stacks through ``anchor`` in a py-spy raw (collapsed) file."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        at = next((i for i, f in enumerate(frames) if f.startswith(anchor + " ")), None)
        if at is None:
            continue
        n = int(count)
        total += n
        below = [_function(f) for f in frames[at:]]
        own[below[-1]] += n
        for name in set(below):
            inclusive[name] += n
    if not total:
        return f"no samples through {anchor}"
    lines = [f"{total} samples through {anchor}", "", "own (leaf) samples:"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in own.most_common(TOP)]
    lines += ["", "inclusive samples:"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in inclusive.most_common(TOP)]
    return "\n".join(lines)


def _function(frame: str) -> str:
    """``name (path/file.py:12)`` -> ``name (path/file.py)``: lines of one function together."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if where else name


@contextmanager
def around_route(wrapper: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Iterator[None]:
    """Wrap the ``push_mutations`` the route calls (the app itself is not changed)."""
    from sync_server.api.routes import sync_push

    original: Callable[..., Any] = sync_push.push_mutations
    sync_push.push_mutations = functools.wraps(original)(wrapper(original))  # type: ignore[assignment]
    try:
        yield
    finally:
        sync_push.push_mutations = original  # type: ignore[assignment]


@contextmanager
def cprofile_route(out: Path) -> Iterator[None]:
    """Profile every ``push_mutations`` the route calls (it runs on a worker thread)."""
    profiler = cProfile.Profile()

    def wrapper(original: Callable[..., Any]) -> Callable[..., Any]:
        return lambda **kwargs: profiler.runcall(original, **kwargs)

    try:
        with around_route(wrapper):
            yield
    finally:
        profiler.dump_stats(str(out))


class RequestTimer:
    """ASGI wrapper: wall ms of each ``POST /v1/sync/push`` inside the server, first byte
    received to last byte sent (body parsing, the route, response encoding, gzip)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.push_ms: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/sync/push":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.push_ms.append((time.perf_counter() - started) * 1000)

    def last(self, count: int, timeout_s: float = 5.0) -> list[float]:
        """The last ``count`` timings: the client may read its answer before the server's
        call has returned, so wait (briefly) for that push's entry."""
        deadline = time.monotonic() + timeout_s
        while len(self.push_ms) < count + 1 and time.monotonic() < deadline:  # + the warm-up
            time.sleep(0.01)
        return self.push_ms[-count:]


@contextmanager
def server_timings() -> Iterator[dict[str, list[float]]]:
    """Per push: ms inside ``push_mutations`` and ms the cycle collector ran (whole process)."""
    times: dict[str, list[float]] = {"push_mutations": [], "gc": []}
    gc_started: list[float] = []

    def on_gc(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            gc_started.append(time.perf_counter())
        elif gc_started:
            times["gc"][-1] += (time.perf_counter() - gc_started.pop()) * 1000

    def wrapper(original: Callable[..., Any]) -> Callable[..., Any]:
        def timed(**kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(**kwargs)
            finally:
                times["push_mutations"].append((time.perf_counter() - started) * 1000)

        return timed

    gc.callbacks.append(on_gc)
    try:
        with around_route(wrapper):
            yield times
    finally:
        gc.callbacks.remove(on_gc)


@contextmanager
def sql_timings() -> Iterator[dict[str, list[float]]]:
    """Wall time of every statement the server runs meanwhile, by its first 90 characters."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    times: dict[str, list[float]] = collections.defaultdict(list)
    started: dict[int, float] = {}

    def before(_conn: Any, cursor: Any, *_args: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(_conn: Any, cursor: Any, statement: str, _params: Any, _ctx: Any, many: bool) -> None:
        key = ("many " if many else "") + " ".join(statement.split())[:90]
        times[key].append((time.perf_counter() - started.pop(id(cursor))) * 1000)

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        yield times
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)


def summarize_sql(times: dict[str, list[float]], pushes: int) -> str:
    total = sum(sum(v) for v in times.values()) / pushes
    lines = [f"statements per push: {sum(map(len, times.values())) / pushes:.0f}, {total:.0f} ms"]
    ranked = sorted(times.items(), key=lambda kv: -sum(kv[1]))
    for key, values in ranked[:TOP]:
        lines.append(f"  {sum(values) / pushes:7.1f} ms {len(values) / pushes:5.1f}x  {key}")
    return "\n".join(lines)
