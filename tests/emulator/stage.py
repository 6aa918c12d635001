"""A shared emulator for table-driven emulator tests, with raw REST calls as the bot makes them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from emulator import Channel, Emulator, Guild, Permissions, User
from emulator.enums import ChannelType
from tests.emulator.testbot import ProbeBot, running


@dataclass
class Stage:
    """An emulator with a guild, a text channel, a forum and a member; the bot if started."""

    emu: Emulator
    http: aiohttp.ClientSession
    guild: Guild
    channel: Channel
    forum: Channel
    river: User
    bot: ProbeBot | None = None

    async def rest(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Call the emulator's REST API with the bot's token; return (status, JSON or None)."""
        headers = {"Authorization": f"Bot {self.emu.token}"}
        async with self.http.request(
            method, self.emu.rest_base + path, json=body, headers=headers
        ) as reply:
            data = await reply.json() if reply.content_type == "application/json" else None
            return reply.status, data

    async def post(self, channel_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Post a message that must be accepted and return it."""
        status, message = await self.rest("POST", f"/channels/{channel_id}/messages", body)
        assert status == 200, message
        return message


def error_codes(body: dict[str, Any], path: str) -> list[str]:
    """Return the codes Discord's nested errors object gives at a dotted path."""
    node: Any = body.get("errors") or {}
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return []
    return [item["code"] for item in node.get("_errors", [])]


@asynccontextmanager
async def staged(*, with_bot: bool) -> AsyncIterator[Stage]:
    """Start an emulator with the small world (and the test bot); fail on leftover problems."""
    emu = Emulator(interaction_deadline=3.0)
    await emu.start()
    try:
        guild = emu.create_guild("Harbour", bot_permissions=Permissions.ADMIN_FREE_DEFAULT)
        channel = emu.create_channel(guild.id, "welcome")
        forum = emu.create_channel(guild.id, "stories", type=ChannelType.FORUM)
        river = emu.create_user("river")
        emu.add_member(guild.id, river.id)
        async with aiohttp.ClientSession() as http:
            stage = Stage(emu, http, guild, channel, forum, river)
            if with_bot:
                async with running(emu, ProbeBot(guild.id)) as bot:
                    stage.bot = bot
                    yield stage
            else:
                yield stage
    finally:
        await emu.stop()
    emu.assert_no_problems()
