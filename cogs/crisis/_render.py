"""The crisis cog's words: replies, the moderators' messages, the settings card.

Each function takes the reader's `Language` (`_`): the member's for private answers, the
server's (`server_language`) for what is posted in the moderators' channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.domain.helplines import Country, HelplineDirectory
from bot.i18n import N_, Language
from bot.services.crisis import Alert, CrisisServerSettings, LocalResource, RequestStatus
from bot.services.settings import GuildConfig
from bot.ui import WARM
from bot.ui.alerts import PEERS_LINE, alert_embed, alert_view, danger_line, is_private_channel
from bot.ui.crisis_card import country_name
from bot.ui.text import role_mention, user_mention

SHARE_CONFIRMATION = N_(
    "Thank you for looking out for them. 💛 If they can receive it, they'll get a private "
    "message with support resources. It doesn't say who sent it or quote anything they "
    "wrote. (People who got one in the last day, or asked not to get these, aren't sent "
    "another, and I can't tell you which applies.)"
)
SHARED_INTRO = N_(
    "Someone in **%(guild)s** wanted you to know that support is here, whenever you might need "
    "it. There's no need to reply, and nobody is told whether you read this."
)
NOT_NOW = N_("Okay, nothing was sent. The card is still there whenever you need it.")
OPTED_OUT = N_(
    "Done: Hearth won't pass these on to you any more, and whoever shared this isn't "
    "told. You can change your mind with `/crisis-shares`."
)
THREAD_NAME = N_("A quiet check-in")
LINES_ARE_THERE = N_("The lines on the card are there for you right now.")


def named(country: Country | None, _: Language) -> str | None:
    """Return a country's name in the reader's language."""
    return country_name(country.code, country.name, _) if country else None


def danger(country: Country | None, _: Language) -> str:
    """Return the immediate-danger sentence for the member's country, if known."""
    return danger_line(named(country, _), country.emergency if country else None, _)


def no_alerts_channel(danger_text: str, _: Language) -> str:
    """Say that this server cannot pass a request on, and what the member can do instead."""
    said = _(
        "This server hasn't set up a private moderator channel for Hearth yet, so I "
        "can't pass a message on. If there's a moderator or friend you trust, you could "
        "message them directly."
    )
    return f"{said} {_(LINES_ARE_THERE)}\n\n{danger_text}"


def ask_offer(danger_text: str, _: Language) -> str:
    """Explain what asking does, before the member chooses named or anonymous."""
    offer = _(
        "I can post a private note in this server's moderator channel saying you'd like "
        "someone to check in on you. Only moderators see that channel."
    )
    choice = _(
        "Do you want them to know it's you? If you stay anonymous, they'll only know that "
        "someone asked, so they can't reach you personally."
    )
    return f"{offer} {_(PEERS_LINE)}\n\n{choice}\n\n{danger_text}"


def _not_sent(status: RequestStatus, _: Language) -> str | None:
    if status is RequestStatus.NO_CHANNEL:
        return _("I couldn't find this server's moderator channel, so nothing was sent.")
    if status is RequestStatus.PUBLIC_CHANNEL:
        return _("This server's moderator channel isn't private, so I didn't post anything there.")
    if status is RequestStatus.NOT_POSTED:
        return _(
            "I couldn't post in the moderator channel (a moderator may need to check my "
            "permissions with `/setup show`), so nothing was sent."
        )
    return None


def request_told(
    status: RequestStatus, guild_name: str, who: str | None, danger_text: str, _: Language
) -> str:
    """Tell the member what happened to their request."""
    failed = _not_sent(status, _)
    if failed is not None:
        return f"{failed} {_(LINES_ARE_THERE)}\n\n{danger_text}"
    if who is not None:
        sent = _(
            "Sent. I posted a private note in **%(guild)s**'s moderator channel (only "
            "moderators can see it) saying that **%(name)s** would like someone to check in. "
            "I didn't include anything you wrote. A moderator will reach out when they can, "
            "by message or in a private thread.",
            guild=guild_name,
            name=who,
        )
    else:
        sent = _(
            "Sent. I posted a private note in **%(guild)s**'s moderator channel saying "
            "that *someone* would like a check-in. It doesn't say who you are, and Hearth "
            "keeps no record of who asked, so the moderators can't reach you directly.",
            guild=guild_name,
        )
    return f"{sent}\n\n{_(PEERS_LINE)} {danger_text}"


def role_mentions(role_id: int | None) -> discord.AllowedMentions:
    """Allow pinging the moderator role only (never a member, never @everyone)."""
    return discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(id=role_id)] if role_id else False
    )


def alert_message(
    alert: Alert, who: str | None, role_id: int | None, _: Language
) -> dict[str, Any]:
    """Return what to post in the moderators' channel for a new request (server's language)."""
    return {
        "content": _("%(role)s someone would like a check-in.", role=role_mention(role_id))
        if role_id
        else None,
        "embed": alert_embed(alert, who, words=_),
        "view": alert_view(alert, _),
        "allowed_mentions": role_mentions(role_id),
    }


def backup_call(
    alert: Alert, moderator_id: int, role_id: int | None, card_url: str, _: Language
) -> str:
    """Return the message that asks the other moderators for backup."""
    ping = f"<@&{role_id}> " if role_id else ""
    asked = _(
        "%(moderator)s asked for backup on check-in request #%(id)s.",
        moderator=user_mention(moderator_id),
        id=alert.id,
    )
    return f"{ping}{asked} {card_url}"


def thread_welcome(member_id: int, moderator_id: int, _: Language) -> str:
    """Return the first message of a private check-in thread."""
    return _(
        "%(member)s, %(moderator)s is here to check in with you, as "
        "you asked. This thread is private: only the two of you (and server staff who "
        "manage threads) can see it. Moderators are peers, not a crisis service: if you "
        "are in danger, `/crisis` has numbers you can call right now.",
        member=user_mention(member_id),
        moderator=user_mention(moderator_id),
    )


def _on_off(value: bool, _: Language) -> str:
    # Translators: a setting's state, after "Offer the card when a check-in may signal crisis".
    return _("on") if value else _("off")


def _channel_line(guild: discord.Guild, config: GuildConfig, _: Language) -> str:
    channel = guild.get_channel(config.alerts_channel_id) if config.alerts_channel_id else None
    if channel is None:
        return _(
            "⚠️ No moderator alerts channel: members can't ask for a check-in. "
            "Choose one with `/setup channels alerts:`."
        )
    if not is_private_channel(channel):
        return _(
            "⚠️ %(channel)s is visible to everyone, so check-in requests are not posted "
            "there. Hide it from @everyone.",
            channel=channel.mention,
        )
    return _("**Check-in requests go to**: %(channel)s", channel=channel.mention)


def settings_embed(
    guild: discord.Guild,
    config: GuildConfig,
    current: CrisisServerSettings,
    resources: Sequence[LocalResource],
    directory: HelplineDirectory,
    title: str,
    _: Language,
) -> discord.Embed:
    """Render the server's crisis settings, and whether requests can reach the moderators."""
    country = directory.by_code(current.default_country) if current.default_country else None
    lines = [
        _(
            "**Default country**: %(country)s",
            country=named(country, _) or _("none (members are asked)"),
        ),
        _(
            "**Offer the card when a check-in may signal crisis**: %(state)s",
            state=_on_off(current.detection_enabled, _),
        ),
        _(
            "**Tell moderators when that happens**: %(state)s",
            state=_on_off(current.alert_on_detection, _),
        ),
        _(
            "**Local resources**: %(count)s (`/crisis-setup resources list`)",
            count=_.number(len(resources)),
        ),
        _channel_line(guild, config, _),
    ]
    return discord.Embed(title=title, description="\n".join(lines), colour=WARM)


def resources_embed(
    resources: Sequence[LocalResource], directory: HelplineDirectory, _: Language
) -> discord.Embed:
    """List a server's local resources, with the country each is shown for."""
    lines = []
    for resource in resources:
        country = directory.by_code(resource.country_code) if resource.country_code else None
        scope = " · " + _("%(country)s only", country=named(country, _)) if country else ""
        lines.append(f"**{resource.name}**{scope}\n{resource.reach}\n{resource.description}")
    return discord.Embed(
        title=_("Local resources"), description="\n\n".join(lines)[:4000], colour=WARM
    )
