"""The REST route table."""

from __future__ import annotations

from emulator.rest import Router
from emulator.routes import (
    app,
    channels,
    events,
    guilds,
    interactions,
    messages,
    threads,
    webhooks,
)


def build_router() -> Router:
    """Return a router with every emulated route."""
    router = Router()
    for module in (app, channels, messages, threads, guilds, events, interactions, webhooks):
        module.register(router)
    return router
