"""Request dependencies as ``Annotated`` aliases, so routes read ``session: SessionDep``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sync_server.core.config import Settings
from sync_server.core.metrics import Metrics


def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with (not the process-wide ones)."""
    return request.app.state.settings


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; routes commit explicitly, anything else is rolled back."""
    with request.app.state.session_factory() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
SessionDep = Annotated[Session, Depends(get_db)]
