"""Deadlines, double answers, files, restarts, gateway resume and member chunking."""

from __future__ import annotations

import asyncio
import os
import sys
import time

import aiohttp
import discord

from emulator import Emulator
from emulator.enums import CallbackType, ChannelType
from tests.emulator.conftest import SmallWorld
from tests.emulator.testbot import ProbeBot, running


async def test_late_answer_expires(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """An answer after the deadline gets 404 10062; the handle is expired and problems recorded."""
    emu.interaction_deadline = 0.2
    h = await emu.slash(world.river.id, "slow", guild_id=world.guild.id)
    await emu.wait_until(lambda: h.attempts, 2, "the late answer")
    assert h.expired and not h.responded
    late = [r for r in emu.requests if r.route and r.route.endswith("/callback")]
    assert late[-1].status == 404 and late[-1].response["code"] == 10062
    problems = emu.take_problems(h.label)
    assert any("not answered within 0.2s" in p for p in problems)
    assert any("answered after" in p for p in problems)


async def test_second_initial_response_is_rejected(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """A second first-answer gets 400 code 40060 and is recorded as a problem."""
    h = await emu.slash(world.river.id, "ping", guild_id=world.guild.id)
    await h.response()
    url = f"{emu.rest_base}/interactions/{h.id}/{h.token}/callback"
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url, json={"type": CallbackType.CHANNEL_MESSAGE, "data": {"content": "again"}}
        ) as resp,
    ):
        assert resp.status == 400
        assert (await resp.json())["code"] == 40060
    assert len(emu.take_problems("second initial response")) == 1
    assert h.content == "pong"


async def test_callback_reply_shape(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """The callback answers 200, Content-Type exactly application/json, with the resource."""
    h = await emu.slash(world.river.id, "ping", guild_id=world.guild.id)
    await h.response()
    request = await emu.wait_for_request(lambda r: r.route and r.route.endswith("/callback"))
    assert request.status == 200
    assert request.response["interaction"]["response_message_ephemeral"] is True
    assert request.response["resource"]["message"]["content"] == "pong"
    assert request.query == {"with_response": "1"}


async def test_ephemeral_file_attachment(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """A multipart answer stores the file on the handle and on the message."""
    h = await emu.slash(world.river.id, "file", guild_id=world.guild.id)
    await h.response()
    assert h.ephemeral and h.files == [("note.txt", b"hello bytes")]
    assert h.message["attachments"][0]["filename"] == "note.txt"
    assert emu.attachment_bytes(h.message, 0) == b"hello bytes"
    async with (
        aiohttp.ClientSession() as session,
        session.get(h.message["attachments"][0]["url"]) as resp,
    ):
        assert await resp.read() == b"hello bytes"


async def test_restart_sees_same_world(emu: Emulator, world: SmallWorld) -> None:
    """After a bot closes, a new instance logs in, gets the current world and keeps working."""
    async with running(emu, ProbeBot(world.guild.id)) as first:
        h = await emu.slash(world.river.id, "panel", guild_id=world.guild.id)
        await h.response()
        assert first.get_guild(world.guild.id) is not None
    later = emu.create_channel(world.guild.id, "made-while-down")
    async with running(emu, ProbeBot(world.guild.id)) as second:
        guild = second.get_guild(world.guild.id)
        assert guild is not None and guild.get_channel(later.id) is not None
        click = await emu.click(world.sky.id, h.message, custom_id="test:ack")
        assert (await click.response())["type"] == CallbackType.UPDATE_MESSAGE
    assert emu.hub.identify_count == 2


async def test_world_changes_after_connect_are_dispatched(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """New guilds, roles and channels made after connect reach the library's cache."""
    guild = emu.create_guild("Second home")
    role = emu.create_role(world.guild.id, "Listener")
    channel = emu.create_channel(world.guild.id, "circles", type=ChannelType.CATEGORY)
    await emu.wait_until(lambda: bot.get_guild(guild.id), 2, "GUILD_CREATE")
    cached = bot.get_guild(world.guild.id)
    assert cached is not None
    await emu.wait_until(lambda: cached.get_role(role.id), 2, "GUILD_ROLE_CREATE")
    await emu.wait_until(lambda: cached.get_channel(channel.id), 2, "CHANNEL_CREATE")
    bot_top = cached.me.top_role
    assert bot_top.id == world.guild.bot_role.id
    assert bot_top.position > cached.get_role(role.id).position


async def test_gateway_reconnect_resumes(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """Op 7 makes the library RESUME; events sent meanwhile are replayed."""
    await emu.disconnect_gateway(reconnect=True)
    role = emu.create_role(world.guild.id, "During reconnect")
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    await emu.wait_until(lambda: guild.get_role(role.id), 3, "replayed GUILD_ROLE_CREATE")
    resumes = [s for s in emu.hub.sessions.values() if s.live]
    assert len(resumes) == 1 and emu.hub.identify_count == 1
    h = await emu.slash(world.river.id, "ping", guild_id=world.guild.id)
    assert (await h.response())["type"] == CallbackType.CHANNEL_MESSAGE


async def test_members_intent_chunks_guild(emu: Emulator, world: SmallWorld) -> None:
    """With the members intent the library requests members (op 8) and caches them all."""
    intents = discord.Intents.default()
    intents.members = True
    async with running(emu, ProbeBot(world.guild.id, intents=intents)) as bot:
        guild = bot.get_guild(world.guild.id)
        assert guild is not None and guild.chunked
        assert guild.get_member(world.sky.id) is not None
        emu.set_member_roles(world.guild.id, world.river.id, [world.member_role.id])
        member = guild.get_member(world.river.id)
        assert member is not None
        await emu.wait_until(lambda: world.member_role.id in member._roles, 2, "MEMBER_UPDATE")


async def test_noop_round_trip_is_fast(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """A no-op slash command round trip takes a few milliseconds at most."""
    for _ in range(5):
        await (await emu.slash(world.river.id, "ping", guild_id=world.guild.id)).response()
    started = time.perf_counter()
    rounds = 50
    for _ in range(rounds):
        await (await emu.slash(world.river.id, "ping", guild_id=world.guild.id)).response()
    per_call = (time.perf_counter() - started) / rounds
    assert per_call < 0.02, f"{per_call * 1000:.1f} ms per round trip"


async def test_bot_in_its_own_process(emu: Emulator, world: SmallWorld) -> None:
    """A bot process pointed at the emulator through the environment answers commands."""
    env = {**os.environ, **emu.env(), "EMULATOR_TEST_GUILD": str(world.guild.id)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.emulator.subprocess_bot", env=env
    )
    try:
        await emu.wait_until(lambda: emu.world.commands.get(world.guild.id), 20, "command sync")
        await emu.wait_until_connected(timeout=10)
        h = await emu.slash(world.river.id, "ping", guild_id=world.guild.id)
        await h.response()
        assert h.content == f"pong from {process.pid}"
    finally:
        process.terminate()
        await process.wait()
