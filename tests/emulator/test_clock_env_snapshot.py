"""The emulator's clock, the environment it gives a bot, listeners, saved worlds, heartbeats."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import discord
import pytest

from bot.config import load_settings
from emulator import Emulator
from emulator.enums import ChannelType
from emulator.ids import parse_iso
from emulator.snapshot import SnapshotError, dump_world, load_world
from tests.emulator.conftest import SmallWorld
from tests.emulator.testbot import ProbeBot, running

LATER = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_env_gives_the_names_hearth_reads(emu: Emulator, tmp_path: Path) -> None:
    """Hearth's settings, read from emu.env(), point at this emulator with its token."""
    settings = load_settings(env=emu.env(), dotenv_path=tmp_path / "no.env")
    assert settings.api_base == emu.rest_base
    assert settings.gateway_url == emu.gateway_url
    assert settings.discord_token == emu.token


async def test_messages_and_snowflakes_follow_an_injected_clock() -> None:
    """With clock=, message times and snowflake times are the clock's, not the system's."""
    now = [LATER]
    emu = Emulator(clock=lambda: now[0])
    guild = emu.create_guild("Harbour")
    channel = emu.create_channel(guild.id, "welcome")
    user = emu.create_user("river")
    emu.add_member(guild.id, user.id)
    now[0] = LATER + timedelta(days=2)
    message = emu.post_message(user.id, channel.id, "hello")
    assert parse_iso(message["timestamp"]) == now[0]
    created = discord.utils.snowflake_time(int(message["id"]))
    assert abs(created - now[0]) < timedelta(seconds=1)


def test_listeners_hear_every_change(emu: Emulator, world: SmallWorld) -> None:
    """add_listener() is called when the world changes, until removed."""
    heard: list[int] = []

    def listener() -> None:
        heard.append(1)

    emu.add_listener(listener)
    emu.post_message(world.river.id, world.channel.id, "one")
    emu.remove_listener(listener)
    emu.post_message(world.river.id, world.channel.id, "two")
    assert len(heard) == 1


async def test_a_saved_world_comes_back_whole(emu: Emulator, world: SmallWorld) -> None:
    """A world dumped to JSON and loaded into a new emulator dumps the same, ids and all."""
    async with running(emu, ProbeBot(world.guild.id)):
        h = await emu.slash(world.river.id, "panel", guild_id=world.guild.id)
        await h.response()
        h = await emu.slash(world.river.id, "ping", guild_id=world.guild.id)
        await h.response()
        thread = emu.create_thread(
            world.channel.id, "a thread", type=ChannelType.PRIVATE_THREAD, members=[world.sky.id]
        )
        emu.post_message(world.sky.id, thread.id, "in the thread")
    saved = json.loads(json.dumps(dump_world(emu)))
    again = Emulator()
    load_world(again, saved)
    assert dump_world(again) == saved
    assert again.snowflakes.next() > max(int(m) for m in again.world.message_index)


async def test_a_bot_logs_into_a_restored_world(emu: Emulator, world: SmallWorld) -> None:
    """After a restore, a bot connects, sees the guild, and a saved button still works."""
    async with running(emu, ProbeBot(world.guild.id)):
        h = await emu.slash(world.river.id, "panel", guild_id=world.guild.id)
        await h.response()
    saved = json.loads(json.dumps(dump_world(emu)))
    again = Emulator()
    load_world(again, saved)
    await again.start()
    try:
        async with running(again, ProbeBot(world.guild.id)) as bot:
            assert bot.get_guild(world.guild.id) is not None
            [panel] = again.channel_messages(world.channel.id)
            click = await again.click(world.river.id, panel, label="Acknowledge")
            await click.response()
            assert again.channel_messages(world.channel.id)[0]["content"] == "acknowledged"
    finally:
        await again.stop()
    again.assert_no_problems()


def test_another_format_is_refused() -> None:
    """A saved world of another format raises SnapshotError instead of half-loading."""
    with pytest.raises(SnapshotError):
        load_world(Emulator(), {"format": 99})
    with pytest.raises(SnapshotError):
        load_world(Emulator(), {"format": 1, "users": []})


async def test_a_heartbeat_is_acked_after_a_short_round_trip(emu: Emulator) -> None:
    """Op 1 gets op 11, a moment later as from a real network (not before the send returns)."""
    async with aiohttp.ClientSession() as session, session.ws_connect(emu.gateway_url) as ws:
        hello = await ws.receive_json(timeout=5)
        assert hello["op"] == 10
        loop = asyncio.get_running_loop()
        sent = loop.time()
        await ws.send_json({"op": 1, "d": None})
        ack = await ws.receive_json(timeout=5)
        assert ack["op"] == 11
        assert loop.time() - sent >= 0.01
