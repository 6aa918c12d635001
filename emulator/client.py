"""Point the real discord.py at an emulator (in this process or in a bot subprocess)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import discord
import yarl

# The names Hearth's settings read (bot/config.py), so a bot started from emu.env() dials here.
REST_ENV = "HEARTH_DISCORD_API_BASE"
GATEWAY_ENV = "HEARTH_DISCORD_GATEWAY_URL"


@contextlib.contextmanager
def pointed_at(rest_base: str, gateway_url: str) -> Iterator[None]:
    """Set Route.BASE and DiscordWebSocket.DEFAULT_GATEWAY, restoring them on exit."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = rest_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def point_from_env() -> bool:
    """Point discord.py at the emulator named by the environment (for a bot subprocess)."""
    rest_base = os.environ.get(REST_ENV)
    gateway_url = os.environ.get(GATEWAY_ENV)
    if not rest_base or not gateway_url:
        return False
    discord.http.Route.BASE = rest_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    return True
