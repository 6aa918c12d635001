"""The REST route table."""

from __future__ import annotations

from emulator.rest import Router
from emulator.routes import app, channels, guilds, interactions


def build_router() -> Router:
    """Return a router with every emulated route."""
    router = Router()
    for module in (app, channels, guilds, interactions):
        module.register(router)
    return router
