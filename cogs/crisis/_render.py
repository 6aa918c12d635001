"""The crisis cog's words: replies, the moderators' messages, the settings card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.domain.helplines import Country, HelplineDirectory
from bot.services.crisis import Alert, CrisisServerSettings, LocalResource, RequestStatus
from bot.services.settings import GuildConfig
from bot.ui import WARM
from bot.ui.alerts import PEERS_LINE, alert_embed, alert_view, danger_line, is_private_channel

SHARE_CONFIRMATION = (
    "Thank you for looking out for them. 💛 If they can receive it, they'll get a private "
    "message with support resources. It doesn't say who sent it or quote anything they "
    "wrote. (People who got one in the last day, or asked not to get these, aren't sent "
    "another, and I can't tell you which applies.)"
)
SHARED_INTRO = (
    "Someone in **{guild}** wanted you to know that support is here, whenever you might need "
    "it. There's no need to reply, and nobody is told whether you read this."
)
NOT_NOW = "Okay, nothing was sent. The card is still there whenever you need it."
OPTED_OUT = (
    "Done: Hearth won't pass these on to you any more, and whoever shared this isn't "
    "told. You can change your mind with `/crisis-shares`."
)
THREAD_NAME = "A quiet check-in"


def danger(country: Country | None) -> str:
    """Return the immediate-danger sentence for the member's country, if known."""
    return danger_line(country.name if country else None, country.emergency if country else None)


def no_alerts_channel(danger_text: str) -> str:
    """Say that this server cannot pass a request on, and what the member can do instead."""
    return (
        "This server hasn't set up a private moderator channel for Hearth yet, so I "
        "can't pass a message on. If there's a moderator or friend you trust, you could "
        f"message them directly. The lines on the card are there for you right now.\n\n{danger_text}"
    )


def ask_offer(danger_text: str) -> str:
    """Explain what asking does, before the member chooses named or anonymous."""
    return (
        "I can post a private note in this server's moderator channel saying you'd like "
        f"someone to check in on you. Only moderators see that channel. {PEERS_LINE}\n\n"
        "Do you want them to know it's you? If you stay anonymous, they'll only know that "
        f"someone asked, so they can't reach you personally.\n\n{danger_text}"
    )


def request_told(status: RequestStatus, guild_name: str, who: str | None, danger_text: str) -> str:
    """Tell the member what happened to their request."""
    if status is RequestStatus.NO_CHANNEL:
        return (
            "I couldn't find this server's moderator channel, so nothing was sent. "
            f"The lines on the card are there for you right now.\n\n{danger_text}"
        )
    if status is RequestStatus.PUBLIC_CHANNEL:
        return (
            "This server's moderator channel isn't private, so I didn't post anything there. "
            f"The lines on the card are there for you right now.\n\n{danger_text}"
        )
    if status is RequestStatus.NOT_POSTED:
        return (
            "I couldn't post in the moderator channel (a moderator may need to check my "
            "permissions with `/setup show`), so nothing was sent. The lines on the card are "
            f"there for you right now.\n\n{danger_text}"
        )
    if who is not None:
        sent = (
            f"Sent. I posted a private note in **{guild_name}**'s moderator channel (only "
            f"moderators can see it) saying that **{who}** would like someone to check in. "
            "I didn't include anything you wrote. A moderator will reach out when they can, "
            "by message or in a private thread."
        )
    else:
        sent = (
            f"Sent. I posted a private note in **{guild_name}**'s moderator channel saying "
            "that *someone* would like a check-in. It doesn't say who you are, and Hearth "
            "keeps no record of who asked, so the moderators can't reach you directly."
        )
    return f"{sent}\n\n{PEERS_LINE} {danger_text}"


def role_mentions(role_id: int | None) -> discord.AllowedMentions:
    """Allow pinging the moderator role only (never a member, never @everyone)."""
    return discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(id=role_id)] if role_id else False
    )


def alert_message(alert: Alert, who: str | None, role_id: int | None) -> dict[str, Any]:
    """Return what to post in the moderators' channel for a new request."""
    return {
        "content": f"<@&{role_id}> someone would like a check-in." if role_id else None,
        "embed": alert_embed(alert, who),
        "view": alert_view(alert),
        "allowed_mentions": role_mentions(role_id),
    }


def backup_call(alert: Alert, moderator_id: int, role_id: int | None, card_url: str) -> str:
    """Return the message that asks the other moderators for backup."""
    ping = f"<@&{role_id}> " if role_id else ""
    return f"{ping}<@{moderator_id}> asked for backup on check-in request #{alert.id}. {card_url}"


def thread_welcome(member_id: int, moderator_id: int) -> str:
    """Return the first message of a private check-in thread."""
    return (
        f"<@{member_id}>, <@{moderator_id}> is here to check in with you, as "
        "you asked. This thread is private: only the two of you (and server staff who "
        "manage threads) can see it. Moderators are peers, not a crisis service: if you "
        "are in danger, `/crisis` has numbers you can call right now."
    )


def settings_embed(
    guild: discord.Guild,
    config: GuildConfig,
    current: CrisisServerSettings,
    resources: Sequence[LocalResource],
    directory: HelplineDirectory,
    title: str,
) -> discord.Embed:
    """Render the server's crisis settings, and whether requests can reach the moderators."""
    country = directory.by_code(current.default_country) if current.default_country else None
    lines = [
        f"**Default country**: {country.name if country else 'none (members are asked)'}",
        f"**Offer the card when a check-in may signal crisis**: {'on' if current.detection_enabled else 'off'}",
        f"**Tell moderators when that happens**: {'on' if current.alert_on_detection else 'off'}",
        f"**Local resources**: {len(resources)} (`/crisis-setup resources list`)",
    ]
    channel = guild.get_channel(config.alerts_channel_id) if config.alerts_channel_id else None
    if channel is None:
        lines.append(
            "⚠️ No moderator alerts channel: members can't ask for a check-in. "
            "Choose one with `/setup channels alerts:`."
        )
    elif not is_private_channel(channel):
        lines.append(
            f"⚠️ {channel.mention} is visible to everyone, so check-in requests are not posted "
            "there. Hide it from @everyone."
        )
    else:
        lines.append(f"**Check-in requests go to**: {channel.mention}")
    return discord.Embed(title=title, description="\n".join(lines), colour=WARM)


def resources_embed(
    resources: Sequence[LocalResource], directory: HelplineDirectory
) -> discord.Embed:
    """List a server's local resources, with the country each is shown for."""
    lines = []
    for resource in resources:
        country = directory.by_code(resource.country_code) if resource.country_code else None
        scope = f" · {country.name} only" if country else ""
        lines.append(f"**{resource.name}**{scope}\n{resource.reach}\n{resource.description}")
    return discord.Embed(
        title="Local resources", description="\n\n".join(lines)[:4000], colour=WARM
    )
