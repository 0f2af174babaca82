"""Prometheus text exposition for request counts, latency and database health.

Small enough to write ourselves: counters and one histogram keyed by route
template (never the raw path, which would explode label cardinality). Each app
instance owns its registry, so several apps in one test process stay apart.
With several uvicorn workers each process exposes its own numbers.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import defaultdict

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

LabelKey = tuple[str, str, str]  # method, route, status


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _number(value: float) -> str:
    return repr(float(value)) if value != int(value) else str(int(value))


class Metrics:
    """Thread-safe request metrics of one app, rendered on ``GET /metrics``."""

    def __init__(self, version: str = "") -> None:
        self.version = version
        self._lock = threading.Lock()
        self._count: dict[LabelKey, int] = defaultdict(int)
        self._sum: dict[LabelKey, float] = defaultdict(float)
        self._buckets: dict[LabelKey, list[int]] = {}
        self._database_up: int | None = None

    def observe_request(self, method: str, route: str, status: int, duration_s: float) -> None:
        key = (method, route, str(status))
        slot = bisect_left(LATENCY_BUCKETS_S, duration_s)
        with self._lock:
            self._count[key] += 1
            self._sum[key] += duration_s
            counts = self._buckets.setdefault(key, [0] * (len(LATENCY_BUCKETS_S) + 1))
            counts[slot] += 1

    def set_database_up(self, up: bool) -> None:
        with self._lock:
            self._database_up = int(up)

    def render(self) -> str:
        """The exposition text (format 0.0.4)."""
        with self._lock:
            count = dict(self._count)
            total = dict(self._sum)
            buckets = {k: list(v) for k, v in self._buckets.items()}
            database_up = self._database_up
        lines = [
            "# HELP cnc_build_info Server version.",
            "# TYPE cnc_build_info gauge",
            f"cnc_build_info{_labels(version=self.version)} 1",
            "# HELP cnc_http_requests_total HTTP requests by method, route template and status.",
            "# TYPE cnc_http_requests_total counter",
        ]
        for (method, route, status), n in sorted(count.items()):
            lines.append(
                f"cnc_http_requests_total{_labels(method=method, route=route, status=status)} {n}"
            )
        lines += [
            "# HELP cnc_http_request_duration_seconds HTTP request latency.",
            "# TYPE cnc_http_request_duration_seconds histogram",
        ]
        for key in sorted(buckets):
            method, route, status = key
            cumulative = 0
            for bound, n in zip((*LATENCY_BUCKETS_S, float("inf")), buckets[key], strict=True):
                cumulative += n
                le = "+Inf" if bound == float("inf") else _number(bound)
                labels = _labels(method=method, route=route, status=status, le=le)
                lines.append(f"cnc_http_request_duration_seconds_bucket{labels} {cumulative}")
            labels = _labels(method=method, route=route, status=status)
            lines.append(f"cnc_http_request_duration_seconds_sum{labels} {total[key]!r}")
            lines.append(f"cnc_http_request_duration_seconds_count{labels} {count[key]}")
        if database_up is not None:
            lines += [
                "# HELP cnc_database_up 1 if the last database check succeeded.",
                "# TYPE cnc_database_up gauge",
                f"cnc_database_up {database_up}",
            ]
        return "\n".join(lines) + "\n"
