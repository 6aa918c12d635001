"""The INTERACTION_CREATE payload: what a user's action looks like to the bot."""

from __future__ import annotations

from typing import Any

from emulator.core import Core
from emulator.enums import IntegrationType, InteractionContext, InteractionType
from emulator.ids import new_token
from emulator.messages import ATTACHMENT_SIZE_LIMIT
from emulator.permissions import Permissions
from emulator.world import Channel

_GUILD_INSTALL = str(IntegrationType.GUILD_INSTALL)
# What an app may do in a user's DM with the bot.
_DM_APP_PERMISSIONS = (
    Permissions.VIEW_CHANNEL
    | Permissions.SEND_MESSAGES
    | Permissions.EMBED_LINKS
    | Permissions.ATTACH_FILES
    | Permissions.READ_MESSAGE_HISTORY
)


def interaction_payload(
    emu: Core,
    kind: InteractionType,
    data: dict[str, Any],
    user_id: int,
    guild_id: int | None,
    channel: Channel,
    locale: str,
) -> dict[str, Any]:
    """Build an INTERACTION_CREATE payload with every key the library needs."""
    world = emu.world
    interaction_id = emu.snowflakes.next()
    channel_json = channel.to_json()
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(emu.application_id),
        "type": kind,
        "data": data,
        "token": new_token("aW50ZXJhY3Rpb24"),
        "version": 1,
        "locale": locale,
        "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "channel": channel_json,
        "channel_id": str(channel.id),
    }
    if guild_id is not None:
        guild = world.guilds[guild_id]
        member = world.members[(guild_id, user_id)]
        perms = world.permissions_in(channel, user_id)
        channel_json["permissions"] = str(perms)
        member_json = member.to_json()
        member_json["permissions"] = str(perms)
        payload.update(
            guild_id=str(guild_id),
            guild={"id": str(guild_id), "locale": guild.locale, "features": []},
            guild_locale=guild.locale,
            member=member_json,
            app_permissions=str(world.permissions_in(channel, emu.bot_user.id)),
            authorizing_integration_owners={_GUILD_INSTALL: str(guild_id)},
            context=InteractionContext.GUILD,
        )
    else:
        payload.update(
            user=world.users[user_id].to_json(),
            app_permissions=str(_DM_APP_PERMISSIONS),
            # A guild install seen from a DM: Discord names no guild ("0").
            authorizing_integration_owners={_GUILD_INSTALL: "0"},
            context=InteractionContext.BOT_DM,
        )
    return payload
