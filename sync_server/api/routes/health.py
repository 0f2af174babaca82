"""Liveness and readiness for load balancers and admins, plus Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import Engine, text

from sync_server import __version__
from sync_server.api.deps import EngineDep, MetricsDep
from sync_server.api.errors import DATABASE_UNAVAILABLE_MESSAGE, ErrorPublic
from sync_server.core.db import DatabaseUnavailable, check_database
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.core.logging import get_logger
from sync_server.core.metrics import CONTENT_TYPE

router = APIRouter(tags=["health"])
log = get_logger(__name__)


class HealthPublic(BaseModel):
    status: str
    database: str
    schema_revision: str | None
    version: str


def read_schema_revision(engine: Engine) -> str | None:
    """Alembic's ``version_num``, or None on a database that was never migrated."""
    with engine.connect() as conn:
        if conn.execute(text("SELECT to_regclass('alembic_version')")).scalar() is None:
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version LIMIT 1")).scalar()


@router.get(
    "/healthz",
    response_model=HealthPublic,
    responses={503: {"model": ErrorPublic, "description": "The database is unreachable."}},
)
def read_health(engine: EngineDep, metrics: MetricsDep) -> HealthPublic:
    """200 only when the database answers: a load balancer should route elsewhere otherwise."""
    try:
        check_database(engine)
        revision = read_schema_revision(engine)
    except DatabaseUnavailable as exc:
        metrics.set_database_up(False)
        log.warning("health_database_unavailable", reason=exc.message)
        raise ApiError(
            ErrorCode.DATABASE_UNAVAILABLE,
            DATABASE_UNAVAILABLE_MESSAGE,
            details={"status": "error", "database": "unavailable", "version": __version__},
        ) from exc
    metrics.set_database_up(True)
    return HealthPublic(status="ok", database="ok", schema_revision=revision, version=__version__)


@router.get("/metrics", response_class=Response, include_in_schema=False)
def read_metrics(engine: EngineDep, metrics: MetricsDep) -> Response:
    """Prometheus exposition; refreshes the database gauge on every scrape."""
    try:
        check_database(engine)
        metrics.set_database_up(True)
    except DatabaseUnavailable:
        metrics.set_database_up(False)
    return Response(metrics.render(), media_type=CONTENT_TYPE)
