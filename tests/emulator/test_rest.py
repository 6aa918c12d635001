"""REST calls made through the real library: roles, messages, DMs, overwrites, threads, events."""

from __future__ import annotations

import datetime as dt

import discord
import pytest

from emulator import Emulator, Permissions
from emulator.enums import ChannelType, OverwriteType
from tests.emulator.conftest import SmallWorld
from tests.emulator.testbot import ProbeBot


async def test_role_add_enforces_hierarchy(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """Roles below the bot's can be added (GUILD_MEMBER_UPDATE); roles above it give 403."""
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    member = await guild.fetch_member(world.river.id)
    await member.add_roles(discord.Object(world.member_role.id), reason="joined")
    assert emu.member_has_role(world.guild.id, world.river.id, world.member_role.id)
    request = await emu.wait_for_request(lambda r: r.method == "PUT" and "roles" in r.path)
    assert request.status == 204 and request.reason == "joined"
    high = emu.create_role(world.guild.id, "Moderator", position=5)
    assert high.position > world.guild.bot_role.position
    with pytest.raises(discord.Forbidden) as info:
        await member.add_roles(discord.Object(high.id))
    assert info.value.code == 50013
    assert not emu.member_has_role(world.guild.id, world.river.id, high.id)


async def test_channel_message_records_allowed_mentions(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """allowed_mentions is kept as sent, and suppressed mentions do not ping."""
    channel = bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send(
        f"welcome {world.sky.mention}", allowed_mentions=discord.AllowedMentions.none()
    )
    stored = await emu.wait_for_message(world.channel.id)
    assert stored["id"] == str(sent.id)
    assert stored["allowed_mentions"] == {"parse": []}
    assert stored["mentions"] == []
    await channel.send(f"hi {world.sky.mention}")
    pinged = await emu.wait_for_message(world.channel.id)
    assert [u["id"] for u in pinged["mentions"]] == [str(world.sky.id)]


async def test_empty_and_oversized_messages_are_problems(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """Discord refuses content over 2000 characters: 400 50035 and a recorded problem."""
    channel = bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as info:
        await channel.send("x" * 2001)
    assert info.value.code == 50035
    assert emu.take_problems("content") != []


async def test_dm_and_closed_dms(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """DMs land in the user's DM channel; closed DMs answer 403 code 50007."""
    user = await bot.fetch_user(world.river.id)
    await user.send("hello from the bot")
    dm = await emu.wait_for_dm(world.river.id)
    assert dm["content"] == "hello from the bot"
    emu.close_dms(world.sky.id)
    sky = await bot.fetch_user(world.sky.id)
    with pytest.raises(discord.Forbidden) as info:
        await sky.send("will not arrive")
    assert info.value.code == 50007
    assert emu.dm_messages(world.sky.id) == []


async def test_overwrite_reaches_library_cache(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """PUT permissions answers 204 and CHANNEL_UPDATE updates channel.overwrites."""
    channel = bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    role = channel.guild.get_role(world.member_role.id)
    assert role is not None and channel.overwrites == {}
    await channel.set_permissions(role, view_channel=False, reason="private")
    await emu.wait_until(lambda: bot.channel_updates, 2, "CHANNEL_UPDATE")
    assert channel.overwrites_for(role).view_channel is False
    stored = emu.world.channels[world.channel.id].permission_overwrites
    assert stored == [
        {
            "id": str(role.id),
            "type": OverwriteType.ROLE,
            "allow": "0",
            "deny": str(Permissions.VIEW_CHANNEL),
        }
    ]
    with pytest.raises(discord.Forbidden):
        await channel.set_permissions(role, administrator=True)


async def test_private_thread_and_member_add(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """A private thread is created (THREAD_CREATE) and a member added to it."""
    channel = bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    thread = await channel.create_thread(name="circle", type=discord.ChannelType.private_thread)
    await emu.wait_until(lambda: channel.guild.get_thread(thread.id), 2, "THREAD_CREATE")
    await thread.add_user(discord.Object(world.river.id))
    assert emu.world.thread_members[thread.id] == {emu.bot_user.id, world.river.id}
    assert emu.world.threads[thread.id].type == 12
    await thread.send("welcome to the circle")
    assert (await emu.wait_for_message(thread.id))["content"] == "welcome to the circle"
    await thread.edit(archived=True, locked=True)
    assert emu.world.channels[thread.id].archived


async def test_scheduled_event_create(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """An external scheduled event is stored and reaches the library's cache."""
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    event = await guild.create_scheduled_event(
        name="Peer circle",
        start_time=start,
        end_time=start + dt.timedelta(hours=1),
        entity_type=discord.EntityType.external,
        location="Online",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    stored = emu.world.scheduled_events[event.id]
    assert stored["name"] == "Peer circle" and stored["entity_metadata"] == {"location": "Online"}
    await emu.wait_until(lambda: guild.get_scheduled_event(event.id), 2, "event in cache")
    await event.delete()
    assert event.id not in emu.world.scheduled_events


async def test_unknown_route_is_a_problem(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """A route the emulator does not know answers 404 and is recorded as a problem."""
    route = discord.http.Route("GET", "/emulator/does-not-exist")
    with pytest.raises(discord.NotFound):
        await bot.http.request(route)
    assert emu.take_problems("unknown route") == [
        "REST: unknown route: GET /emulator/does-not-exist"
    ]


async def test_rate_limit_then_success(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """An injected 429 is retried by the library after retry_after, then succeeds."""
    emu.inject_fault(
        method="POST",
        route="/channels/{channel_id}/messages",
        status=429,
        times=2,
        retry_after=0.02,
    )
    channel = bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("after the limit")
    statuses = [r.status for r in emu.requests if r.route == "/channels/{channel_id}/messages"]
    assert statuses == [429, 429, 200]
    assert emu.channel_messages(world.channel.id)[-1]["content"] == "after the limit"


async def test_server_error_is_not_retried_for_503(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """An injected 503 surfaces as DiscordServerError (the library retries only 500/502/504)."""
    emu.inject_fault(method="POST", route="/channels/{channel_id}/messages", status=503)
    channel = bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("lost")
    await channel.send("kept")
    assert [m["content"] for m in emu.channel_messages(world.channel.id)] == ["kept"]


async def test_fault_after_lets_the_first_requests_through(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """With after=2 the first two matching requests succeed and the third gets the fault."""
    emu.inject_fault(method="POST", route="/channels/{channel_id}/messages", status=403, after=2)
    channel = bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("one")
    await channel.send("two")
    with pytest.raises(discord.Forbidden):
        await channel.send("three")
    await channel.send("four")
    assert [m["content"] for m in emu.channel_messages(world.channel.id)] == ["one", "two", "four"]


async def test_invalid_components_are_problems(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """A custom_id over 100 characters is refused with 50035 and recorded."""
    channel = bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="x", custom_id="c" * 101))
    with pytest.raises(discord.HTTPException) as info:
        await channel.send("bad", view=view)
    assert info.value.code == 50035
    assert emu.take_problems("custom_id")


async def test_event_in_the_past_is_refused(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """Discord refuses to schedule an event in the past."""
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with pytest.raises(discord.HTTPException):
        await guild.create_scheduled_event(
            name="Too late",
            start_time=start,
            end_time=start + dt.timedelta(hours=2),
            entity_type=discord.EntityType.external,
            location="Online",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
    assert emu.take_problems("in the past")


async def test_forum_post_creates_thread_with_first_message(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """A forum post is a thread whose first message shares its id."""
    forum = emu.create_channel(world.guild.id, "check-ins", type=ChannelType.FORUM)
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    await emu.wait_until(lambda: guild.get_channel(forum.id), 2, "CHANNEL_CREATE")
    cached = guild.get_channel(forum.id)
    assert isinstance(cached, discord.ForumChannel)
    post = await cached.create_thread(name="Week 1", content="How was your week?")
    assert post.thread.id == post.message.id
    assert emu.channel_messages(post.thread.id)[0]["content"] == "How was your week?"


async def test_user_dm_reaches_bot(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """A DM written by a user arrives as MESSAGE_CREATE with its content."""
    seen: list[discord.Message] = []

    async def on_message(message: discord.Message) -> None:
        seen.append(message)

    bot.add_listener(on_message)
    emu.post_dm(world.river.id, "are you there?")
    await emu.wait_until(lambda: seen, 2, "on_message")
    assert seen[0].content == "are you there?"
    assert isinstance(seen[0].channel, discord.DMChannel)


async def test_enforce_nonce_returns_the_earlier_message(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """A second send with the same nonce (enforce_nonce) gets the first message back, not a new one."""
    channel = bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("once, please", nonce="reminder-42")
    request = await emu.wait_for_request(lambda r: r.method == "POST" and "messages" in r.path)
    assert request.json["enforce_nonce"] is True and request.json["nonce"] == "reminder-42"
    again = await channel.send("once, please", nonce="reminder-42")
    assert again.id == first.id
    assert [m["id"] for m in emu.channel_messages(world.channel.id)] == [str(first.id)]
    other = await channel.send("a different one", nonce="reminder-43")
    assert other.id != first.id
    assert len(emu.channel_messages(world.channel.id)) == 2
