"""Server settings from the environment (``CNC_*``, plus plain ``DATABASE_URL``).

Secrets are never given a usable default: outside development a missing or
weak ``CNC_SECRET_KEY`` / ``CNC_ENCRYPTION_KEY`` stops the server at start-up.
In development they are generated once and kept in ``<data_dir>/secrets.json``
so that a restart does not invalidate every issued token.
"""

from __future__ import annotations

import base64
import binascii
import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared_models.sync.wire import MAX_REQUEST_BYTES
from sync_server.core.dev_secrets import load_or_create_dev_secrets

Environment = Literal["development", "production", "test"]

#: Values copied from examples and tutorials that must never sign a token.
WEAK_SECRETS = frozenset({"changethis", "changeme", "secret", "dev", "development", "test"})
MIN_SECRET_KEY_LENGTH = 32
ENCRYPTION_KEY_BYTES = 32


def default_data_dir() -> Path:
    """Per-user data directory; a service account overrides it with CNC_DATA_DIR."""
    return platformdirs.user_data_path("cnc-server", appauthor=False)


def decode_encryption_key(value: str) -> bytes:
    """Decode a base64 AES-256 key, refusing anything that is not exactly 32 bytes."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("CNC_ENCRYPTION_KEY must be base64") from exc
    if len(raw) != ENCRYPTION_KEY_BYTES:
        raise ValueError(
            f"CNC_ENCRYPTION_KEY must decode to {ENCRYPTION_KEY_BYTES} bytes, got {len(raw)}"
        )
    return raw


class Settings(BaseSettings):
    """Everything the server reads from its environment, validated once at start."""

    model_config = SettingsConfigDict(
        env_prefix="CNC_",
        extra="ignore",
        validate_by_name=True,
        validate_by_alias=True,
        validate_default=True,
        hide_input_in_errors=True,  # errors must not echo DATABASE_URL or keys
    )

    environment: Environment = "development"
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "CNC_DATABASE_URL", "database_url"),
        description="Any PostgreSQL URL; unset means an embedded PostgreSQL in data_dir.",
    )
    data_dir: Path = Field(default_factory=default_data_dir)
    secret_key: SecretStr | None = None
    encryption_key: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    log_level: str = "INFO"
    log_json: bool = False
    #: Server processes sharing the port (DESIGN 8: the server is stateless). One
    #: process runs Python on one core at a time; give a busy server one per core.
    workers: int = Field(default=1, ge=1, le=64)
    #: Sync requests one user may make per minute, over all their devices.
    sync_requests_per_minute: int = Field(default=600, ge=1)
    #: Sync routes run in a thread pool; size the pool for concurrent devices.
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=20, ge=0)
    #: Stripe: the secret API key (PaymentIntents, refunds) and the endpoint's signing
    #: secret (``whsec_...``) that ``POST /v1/webhooks/stripe`` verifies; unset = disabled.
    stripe_api_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    #: Seconds between two OVERDUE sweeps of invoices (one also runs at start); 0 = off.
    overdue_sweep_interval_s: float = Field(default=3600.0, ge=0)
    #: Render the next page of a download while the client applies this one
    #: (``sync_server.sync.prefetch``); off, every page is rendered on request.
    pull_prefetch: bool = True
    #: Request bodies above this are refused with 413 before they are read whole.
    max_request_bytes: int = Field(default=MAX_REQUEST_BYTES, ge=1024)

    @field_validator("data_dir")
    @classmethod
    def _expand_data_dir(cls, value: Path) -> Path:
        return value.expanduser().absolute()

    @field_validator("database_url")
    @classmethod
    def _blank_url_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError(f"unknown log level {value!r}")
        return level

    @model_validator(mode="after")
    def _require_secrets(self) -> Settings:
        if "log_json" not in self.model_fields_set and self.environment == "production":
            self.log_json = True  # log collectors expect one JSON object per line
        if self.environment == "development":
            self._fill_dev_secrets()
        for name, env in (
            ("secret_key", "CNC_SECRET_KEY"),
            ("encryption_key", "CNC_ENCRYPTION_KEY"),
        ):
            if getattr(self, name) is None:
                raise ValueError(
                    f"{env} must be set when environment is {self.environment!r} "
                    "(only development generates secrets on its own)"
                )
        self._check_secret_key()
        decode_encryption_key(self.encryption_key.get_secret_value())  # type: ignore[union-attr]
        return self

    def _fill_dev_secrets(self) -> None:
        if self.secret_key is not None and self.encryption_key is not None:
            return
        stored = load_or_create_dev_secrets(self.data_dir / "secrets.json")
        if self.secret_key is None:
            self.secret_key = SecretStr(stored["secret_key"])
        if self.encryption_key is None:
            self.encryption_key = SecretStr(stored["encryption_key"])

    def _check_secret_key(self) -> None:
        value = self.secret_key.get_secret_value()  # type: ignore[union-attr]
        if value.strip().lower() in WEAK_SECRETS:
            raise ValueError("CNC_SECRET_KEY is a well-known placeholder; generate a random one")
        if len(value) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(
                f"CNC_SECRET_KEY must have at least {MIN_SECRET_KEY_LENGTH} characters"
            )

    @property
    def encryption_key_bytes(self) -> bytes:
        """The 32-byte key that wraps EncryptedData columns."""
        return decode_encryption_key(self.encryption_key.get_secret_value())  # type: ignore[union-attr]

    @property
    def pgdata_dir(self) -> Path:
        """Where the embedded PostgreSQL keeps its cluster."""
        return self.data_dir / "pgdata"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests build their own ``Settings`` instead."""
    return Settings()
