"""The emulator refuses what the bot's permissions in a channel do not allow, where Discord does.

Every REST route Hearth uses is checked against Discord's documented needs: 403 code 50013
(Missing Permissions), or 50001 (Missing Access) where the bot cannot see the channel. These
are normal runtime conditions, so none of them is recorded as a problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from emulator import Channel, Guild, Permissions, overwrite
from emulator.enums import ChannelType, EventEntityType, EventPrivacy, OverwriteType
from tests.emulator.stage import Stage, staged

pytestmark = pytest.mark.asyncio(loop_scope="module")

P = Permissions
# What a bot needs to post at all; each test adds what its route needs.
POST = P.VIEW_CHANNEL | P.SEND_MESSAGES


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stage() -> AsyncIterator[Stage]:
    """One emulator (no bot needed: these are plain REST calls)."""
    async with staged(with_bot=False) as started:
        yield started


@pytest.fixture(autouse=True)
def no_problems(stage: Stage) -> Any:
    """A 403 is a runtime condition the bot must handle, never a problem."""
    yield
    assert stage.emu.take_problems() == []


@dataclass
class Realm:
    """A server where the bot has exactly the given permissions (@everyone has none)."""

    guild: Guild
    channel: Channel
    stage: Stage

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Call the REST API as the bot."""
        return await self.stage.rest(method, path, body)

    async def expect(
        self, status: int, code: int | None, method: str, path: str, body: Any = None
    ) -> Any:
        """Call and check the status (and the error code for an error)."""
        got, reply = await self.call(method, path, body)
        assert got == status, reply
        if code is not None:
            assert reply["code"] == code, reply
        return reply

    def deny_here(self, bits: int, channel: Channel | None = None) -> None:
        """Deny the bot's role bits in a channel."""
        target = channel or self.channel
        role = self.stage.emu.world.roles[self.guild.bot_role.id]
        self.stage.emu.set_channel_overwrites(target.id, [overwrite(role, deny=bits)])

    def messages(self, channel: Channel | None = None) -> str:
        """Return the messages path of a channel."""
        return f"/channels/{(channel or self.channel).id}/messages"


def realm(stage: Stage, permissions: int) -> Realm:
    """Make a server where the bot's permissions are exactly `permissions`."""
    emu = stage.emu
    guild = emu.create_guild("Realm", bot_permissions=permissions, everyone_permissions=0)
    channel = emu.create_channel(guild.id, "talk")
    emu.add_member(guild.id, stage.river.id)
    return Realm(guild, channel, stage)


# ------------------------------------------------------------------ sending
async def test_send_needs_view_then_send(stage: Stage) -> None:
    """Without View Channel a post is 50001; with it but without Send Messages, 50013."""
    hidden = realm(stage, P.SEND_MESSAGES)
    await hidden.expect(403, 50001, "POST", hidden.messages(), {"content": "hi"})
    mute = realm(stage, P.VIEW_CHANNEL)
    await mute.expect(403, 50013, "POST", mute.messages(), {"content": "hi"})
    ok = realm(stage, POST)
    await ok.expect(200, None, "POST", ok.messages(), {"content": "hi"})


async def test_thread_posts_need_send_messages_in_threads(stage: Stage) -> None:
    """In a thread Send Messages in Threads counts, not Send Messages."""
    here = realm(stage, POST | P.CREATE_PUBLIC_THREADS)
    thread = stage.emu.create_thread(here.channel.id, "replies", type=ChannelType.PUBLIC_THREAD)
    await here.expect(403, 50013, "POST", here.messages(thread), {"content": "hi"})
    threads_only = realm(stage, P.VIEW_CHANNEL | P.SEND_MESSAGES_IN_THREADS)
    thread = stage.emu.create_thread(
        threads_only.channel.id, "replies", type=ChannelType.PUBLIC_THREAD
    )
    await threads_only.expect(200, None, "POST", threads_only.messages(thread), {"content": "hi"})


async def test_files_need_attach_files(stage: Stage) -> None:
    """A file without Attach Files is 50013."""
    here = realm(stage, POST)
    form = {"content": "see file", "attachments": [{"id": 0, "filename": "a.txt"}]}
    status, reply = await _multipart(stage, here.messages(), form)
    assert (status, reply["code"]) == (403, 50013)
    attach = realm(stage, POST | P.ATTACH_FILES)
    status, reply = await _multipart(stage, attach.messages(), form)
    assert status == 200, reply


async def _multipart(stage: Stage, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
    import json

    import aiohttp

    form = aiohttp.FormData()
    form.add_field("payload_json", json.dumps(payload), content_type="application/json")
    form.add_field("files[0]", b"hello", filename="a.txt", content_type="text/plain")
    headers = {"Authorization": f"Bot {stage.emu.token}"}
    async with stage.http.post(stage.emu.rest_base + path, data=form, headers=headers) as reply:
        return reply.status, await reply.json()


async def test_embeds_need_embed_links(stage: Stage) -> None:
    """Without Embed Links an embed-only post is 50013 and embeds beside text are dropped."""
    here = realm(stage, POST)
    embed = {"title": "A check-in"}
    await here.expect(403, 50013, "POST", here.messages(), {"embeds": [embed]})
    sent = await here.expect(
        200, None, "POST", here.messages(), {"content": "hi", "embeds": [embed]}
    )
    assert sent["embeds"] == []
    edited = await here.expect(
        200, None, "PATCH", f"{here.messages()}/{sent['id']}", {"content": "hi", "embeds": [embed]}
    )
    assert edited["embeds"] == []
    links = realm(stage, POST | P.EMBED_LINKS)
    sent = await links.expect(200, None, "POST", links.messages(), {"embeds": [embed]})
    assert sent["embeds"][0]["title"] == "A check-in"


async def test_denied_send_implicitly_denies_embeds_and_files(stage: Stage) -> None:
    """Denying Send Messages in a channel also takes Embed Links, Attach Files and Mention Everyone."""
    here = realm(stage, POST | P.EMBED_LINKS | P.ATTACH_FILES | P.MENTION_EVERYONE)
    here.deny_here(P.SEND_MESSAGES)
    perms = stage.emu.world.permissions_in(here.channel, stage.emu.bot_user.id)
    assert perms & (P.EMBED_LINKS | P.ATTACH_FILES | P.MENTION_EVERYONE | P.SEND_MESSAGES) == 0
    assert perms & P.VIEW_CHANNEL


async def test_replies_need_read_message_history(stage: Stage) -> None:
    """A reply without Read Message History is 50013."""
    here = realm(stage, POST)
    first = await here.expect(200, None, "POST", here.messages(), {"content": "first"})
    reply = {"content": "second", "message_reference": {"message_id": first["id"]}}
    await here.expect(403, 50013, "POST", here.messages(), reply)
    reading = realm(stage, POST | P.READ_MESSAGE_HISTORY)
    first = await reading.expect(200, None, "POST", reading.messages(), {"content": "first"})
    reply["message_reference"] = {"message_id": first["id"]}
    await reading.expect(200, None, "POST", reading.messages(), reply)


async def test_dms_refused_when_closed_or_no_shared_server(stage: Stage) -> None:
    """A DM is 50007 when the member closed DMs or shares no server with the bot."""
    emu = stage.emu
    stranger = emu.create_user("stranger")
    loner = emu.create_user("loner")
    emu.add_member(stage.guild.id, loner.id)
    emu.close_dms(loner.id)
    for user in (stranger, loner):
        status, dm = await stage.rest("POST", "/users/@me/channels", {"recipient_id": user.id})
        assert status == 200, dm
        status, reply = await stage.rest(
            "POST", f"/channels/{dm['id']}/messages", {"content": "hi"}
        )
        assert (status, reply["code"]) == (403, 50007)


# ------------------------------------------------------------------ reading, editing, deleting
async def test_history_without_read_message_history_is_empty(stage: Stage) -> None:
    """History without Read Message History is an empty list; one message is 50001."""
    writer = realm(stage, POST | P.READ_MESSAGE_HISTORY)
    sent = await writer.expect(200, None, "POST", writer.messages(), {"content": "kept"})
    assert len(await writer.expect(200, None, "GET", writer.messages())) == 1
    writer.deny_here(P.READ_MESSAGE_HISTORY)
    assert await writer.expect(200, None, "GET", writer.messages()) == []
    await writer.expect(403, 50001, "GET", f"{writer.messages()}/{sent['id']}")
    writer.deny_here(P.VIEW_CHANNEL)
    await writer.expect(403, 50001, "GET", writer.messages())


async def test_voice_channel_history_needs_connect(stage: Stage) -> None:
    """Reading a voice channel's messages also needs Connect."""
    here = realm(stage, POST | P.READ_MESSAGE_HISTORY)
    voice = stage.emu.create_channel(here.guild.id, "room", type=ChannelType.VOICE)
    await here.expect(403, 50001, "GET", here.messages(voice))
    connects = realm(stage, POST | P.READ_MESSAGE_HISTORY | P.CONNECT)
    voice = stage.emu.create_channel(connects.guild.id, "room", type=ChannelType.VOICE)
    assert await connects.expect(200, None, "GET", connects.messages(voice)) == []


async def test_edit_and_delete(stage: Stage) -> None:
    """Own messages: edit and delete need only sight; others' need Manage Messages to delete."""
    emu = stage.emu
    here = realm(stage, POST)
    own = await here.expect(200, None, "POST", here.messages(), {"content": "mine"})
    theirs = emu.post_message(stage.river.id, here.channel.id, "theirs")
    await here.expect(403, 50005, "PATCH", f"{here.messages()}/{theirs['id']}", {"content": "x"})
    await here.expect(403, 50013, "DELETE", f"{here.messages()}/{theirs['id']}")
    here.deny_here(P.SEND_MESSAGES)
    await here.expect(200, None, "PATCH", f"{here.messages()}/{own['id']}", {"content": "edited"})
    here.deny_here(P.VIEW_CHANNEL)
    await here.expect(403, 50001, "PATCH", f"{here.messages()}/{own['id']}", {"content": "x"})
    await here.expect(403, 50001, "DELETE", f"{here.messages()}/{own['id']}")
    manager = realm(stage, POST | P.MANAGE_MESSAGES)
    theirs = emu.post_message(stage.river.id, manager.channel.id, "theirs")
    await manager.expect(204, None, "DELETE", f"{manager.messages()}/{theirs['id']}")


async def test_new_reaction_needs_add_reactions(stage: Stage) -> None:
    """Reacting needs Read Message History, and Add Reactions unless someone used that emoji."""
    here = realm(stage, POST | P.READ_MESSAGE_HISTORY)
    sent = await here.expect(200, None, "POST", here.messages(), {"content": "react"})
    path = f"{here.messages()}/{sent['id']}/reactions/%F0%9F%92%9B/@me"
    await here.expect(403, 50013, "PUT", path)
    stage.emu.world.message_index[int(sent["id"])]["reactions"] = [
        {"emoji": {"id": None, "name": "💛"}, "count": 1, "me": False, "burst_colors": []}
    ]
    await here.expect(204, None, "PUT", path)


async def test_hidden_channel_is_missing_access(stage: Stage) -> None:
    """Fetching a channel the bot cannot see is 50001."""
    here = realm(stage, POST)
    here.deny_here(P.VIEW_CHANNEL)
    await here.expect(403, 50001, "GET", f"/channels/{here.channel.id}")


# ------------------------------------------------------------------ threads
async def test_thread_creation_permissions(stage: Stage) -> None:
    """Private threads need Create Private Threads, public ones and threads on a message Create Public Threads."""
    here = realm(stage, POST | P.READ_MESSAGE_HISTORY)
    threads = f"/channels/{here.channel.id}/threads"
    await here.expect(
        403, 50013, "POST", threads, {"name": "p", "type": ChannelType.PRIVATE_THREAD}
    )
    await here.expect(403, 50013, "POST", threads, {"name": "p", "type": ChannelType.PUBLIC_THREAD})
    root = await here.expect(200, None, "POST", here.messages(), {"content": "root"})
    await here.expect(403, 50013, "POST", f"{here.messages()}/{root['id']}/threads", {"name": "r"})
    able = realm(stage, POST | P.CREATE_PRIVATE_THREADS | P.CREATE_PUBLIC_THREADS)
    threads = f"/channels/{able.channel.id}/threads"
    await able.expect(201, None, "POST", threads, {"name": "p", "type": ChannelType.PRIVATE_THREAD})
    root = await able.expect(200, None, "POST", able.messages(), {"content": "root"})
    await able.expect(201, None, "POST", f"{able.messages()}/{root['id']}/threads", {"name": "r"})


async def test_forum_post_needs_send_messages(stage: Stage) -> None:
    """A forum post needs Send Messages; Create Public Threads does not count."""
    here = realm(stage, P.VIEW_CHANNEL | P.CREATE_PUBLIC_THREADS)
    forum = stage.emu.create_channel(here.guild.id, "stories", type=ChannelType.FORUM)
    post = {"name": "a post", "message": {"content": "hello"}}
    await here.expect(403, 50013, "POST", f"/channels/{forum.id}/threads", post)
    able = realm(stage, POST)
    forum = stage.emu.create_channel(able.guild.id, "stories", type=ChannelType.FORUM)
    await able.expect(201, None, "POST", f"/channels/{forum.id}/threads", post)


async def test_thread_members(stage: Stage) -> None:
    """Adding needs Send Messages in Threads; removing needs Manage Threads unless the bot made the private thread."""
    emu = stage.emu
    here = realm(stage, POST | P.CREATE_PRIVATE_THREADS | P.CREATE_PUBLIC_THREADS)
    private = await here.expect(
        201,
        None,
        "POST",
        f"/channels/{here.channel.id}/threads",
        {"name": "p", "type": ChannelType.PRIVATE_THREAD},
    )
    member = f"/channels/{private['id']}/thread-members/{stage.river.id}"
    await here.expect(403, 50013, "PUT", member)
    able = realm(stage, POST | P.CREATE_PRIVATE_THREADS | P.SEND_MESSAGES_IN_THREADS)
    private = await able.expect(
        201,
        None,
        "POST",
        f"/channels/{able.channel.id}/threads",
        {"name": "p", "type": ChannelType.PRIVATE_THREAD},
    )
    member = f"/channels/{private['id']}/thread-members/{stage.river.id}"
    await able.expect(204, None, "PUT", member)
    await able.expect(204, None, "DELETE", member)
    public = emu.create_thread(
        able.channel.id, "open", type=ChannelType.PUBLIC_THREAD, members=[stage.river.id]
    )
    await able.expect(
        403, 50013, "DELETE", f"/channels/{public.id}/thread-members/{stage.river.id}"
    )


async def test_deleting_a_thread_needs_manage_threads(stage: Stage) -> None:
    """Deleting a thread needs Manage Threads, even one the bot made."""
    here = realm(stage, POST | P.READ_MESSAGE_HISTORY | P.CREATE_PUBLIC_THREADS)
    root = await here.expect(200, None, "POST", here.messages(), {"content": "root"})
    thread = await here.expect(
        201, None, "POST", f"{here.messages()}/{root['id']}/threads", {"name": "r"}
    )
    await here.expect(403, 50013, "DELETE", f"/channels/{thread['id']}")
    manager = realm(stage, POST | P.MANAGE_THREADS)
    thread = stage.emu.create_thread(manager.channel.id, "replies", type=ChannelType.PUBLIC_THREAD)
    await manager.expect(200, None, "DELETE", f"/channels/{thread.id}")


# ------------------------------------------------------------------ overwrites and roles
async def test_overwrites_need_manage_roles_and_no_escalation(stage: Stage) -> None:
    """Overwrites need Manage Roles and may only allow or deny what the bot has itself."""
    emu = stage.emu
    here = realm(stage, POST)
    role = emu.create_role(here.guild.id, "Member")
    path = f"/channels/{here.channel.id}/permissions/{role.id}"
    body = {"type": OverwriteType.ROLE, "allow": str(P.VIEW_CHANNEL), "deny": "0"}
    await here.expect(403, 50013, "PUT", path, body)
    await here.expect(403, 50013, "DELETE", path)
    manager = realm(stage, POST | P.MANAGE_ROLES)
    role = emu.create_role(manager.guild.id, "Member")
    path = f"/channels/{manager.channel.id}/permissions/{role.id}"
    await manager.expect(204, None, "PUT", path, body)
    await manager.expect(
        403, 50013, "PUT", path, {"type": OverwriteType.ROLE, "allow": str(P.CONNECT), "deny": "0"}
    )
    await manager.expect(204, None, "DELETE", path)


async def test_roles_need_manage_roles_and_a_lower_role(stage: Stage) -> None:
    """Giving a role needs Manage Roles and the role below the bot's highest."""
    emu = stage.emu
    here = realm(stage, POST)
    role = emu.create_role(here.guild.id, "Member")
    path = f"/guilds/{here.guild.id}/members/{stage.river.id}/roles/{role.id}"
    await here.expect(403, 50013, "PUT", path)
    manager = realm(stage, POST | P.MANAGE_ROLES)
    below = emu.create_role(manager.guild.id, "Member")
    above = emu.create_role(manager.guild.id, "Moderators", position=5)
    roles = f"/guilds/{manager.guild.id}/members/{stage.river.id}/roles"
    await manager.expect(204, None, "PUT", f"{roles}/{below.id}")
    await manager.expect(403, 50013, "PUT", f"{roles}/{above.id}")
    await manager.expect(204, None, "DELETE", f"{roles}/{below.id}")


# ------------------------------------------------------------------ scheduled events
def _event(voice: Channel) -> dict[str, Any]:
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    return {
        "name": "Circle",
        "privacy_level": EventPrivacy.GUILD_ONLY,
        "entity_type": EventEntityType.VOICE,
        "channel_id": str(voice.id),
        "scheduled_start_time": start.isoformat(),
        "scheduled_end_time": (start + dt.timedelta(hours=1)).isoformat(),
    }


async def test_events_need_create_events_and_connect(stage: Stage) -> None:
    """Manage Events alone no longer creates events; a voice event also needs View Channel and Connect."""
    for lacking in (P.MANAGE_EVENTS, P.CREATE_EVENTS):
        here = realm(stage, POST | lacking)
        voice = stage.emu.create_channel(here.guild.id, "room", type=ChannelType.VOICE)
        await here.expect(
            403, 50013, "POST", f"/guilds/{here.guild.id}/scheduled-events", _event(voice)
        )
    able = realm(stage, POST | P.CREATE_EVENTS | P.CONNECT)
    voice = stage.emu.create_channel(able.guild.id, "room", type=ChannelType.VOICE)
    events = f"/guilds/{able.guild.id}/scheduled-events"
    event = await able.expect(200, None, "POST", events, _event(voice))
    await able.expect(200, None, "PATCH", f"{events}/{event['id']}", {"name": "Circle, moved"})
    await able.expect(204, None, "DELETE", f"{events}/{event['id']}")


async def test_someone_elses_event_needs_manage_events(stage: Stage) -> None:
    """Create Events covers the bot's own events; anyone else's needs Manage Events."""
    emu = stage.emu
    here = realm(stage, POST | P.CREATE_EVENTS | P.CONNECT)
    voice = emu.create_channel(here.guild.id, "room", type=ChannelType.VOICE)
    events = f"/guilds/{here.guild.id}/scheduled-events"
    event = await here.expect(200, None, "POST", events, _event(voice))
    emu.world.scheduled_events[int(event["id"])]["creator_id"] = str(stage.river.id)
    await here.expect(403, 50013, "DELETE", f"{events}/{event['id']}")
    emu.set_role_permissions(
        here.guild.id, here.guild.bot_role.id, POST | P.MANAGE_EVENTS | P.CONNECT
    )
    await here.expect(204, None, "DELETE", f"{events}/{event['id']}")


# ------------------------------------------------------------------ mentions
async def test_role_and_everyone_pings_need_permission(stage: Stage) -> None:
    """A role pings only if mentionable or with Mention Everyone; @everyone only with it."""
    emu = stage.emu
    here = realm(stage, POST)
    quiet = emu.create_role(here.guild.id, "Moderators")
    body = {
        "content": f"<@&{quiet.id}> @everyone",
        "allowed_mentions": {"parse": ["roles", "everyone"]},
    }
    sent = await here.expect(200, None, "POST", here.messages(), body)
    assert sent["mention_roles"] == [] and sent["mention_everyone"] is False
    emu.world.roles[quiet.id].mentionable = True
    sent = await here.expect(200, None, "POST", here.messages(), body)
    assert sent["mention_roles"] == [str(quiet.id)] and sent["mention_everyone"] is False
    loud = realm(stage, POST | P.MENTION_EVERYONE)
    role = emu.create_role(loud.guild.id, "Moderators")
    body["content"] = f"<@&{role.id}> @everyone"
    sent = await loud.expect(200, None, "POST", loud.messages(), body)
    assert sent["mention_roles"] == [str(role.id)] and sent["mention_everyone"] is True
