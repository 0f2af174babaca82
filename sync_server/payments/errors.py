"""What the card-payment flow raises inside; the API edge maps these to stable codes
(``gateway_not_configured``, ``gateway_error`` in ``sync_server.core.errors``)."""

from __future__ import annotations


class GatewayNotConfigured(Exception):
    """The tenant has no usable Stripe credentials."""


class GatewayFailure(Exception):
    """The gateway refused or could not be reached; ``message`` is its own words."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
