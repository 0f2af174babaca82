"""The dispatch board screen (issue 6, DESIGN 10): days × crews and trucks."""

from __future__ import annotations

from client.ui.dispatch.view import DispatchView

__all__ = ["DispatchView"]
