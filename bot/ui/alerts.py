"""The moderators' "someone would like a check-in" card, shared by every feature that posts it.

The card's buttons (I'll reach out, Need backup, Open a private thread) are handled by the crisis
cog, which registers them; any feature can post the card with `alert_view`, because discord.py
finds the handler by the buttons' custom_ids.
"""

from __future__ import annotations

import discord

from bot.i18n import ENGLISH, N_, NC_, Language, language
from bot.services.crisis import ALERT_RETENTION, Alert
from bot.ui.components import ButtonSpec, carried
from bot.ui.text import WARM, channel_mention, code, user_mention

CLAIM = ButtonSpec(
    "hearth:crisis:claim", NC_("button", "I'll reach out"), discord.ButtonStyle.success, ("alert",)
)
BACKUP = ButtonSpec(
    "hearth:crisis:backup", NC_("button", "Need backup"), discord.ButtonStyle.danger, ("alert",)
)
THREAD = ButtonSpec(
    "hearth:crisis:thread",
    NC_("button", "Open a private thread"),
    discord.ButtonStyle.primary,
    ("alert",),
)


def alert_view(alert: Alert, words: Language | None = None) -> discord.ui.View:
    """Return the buttons for the moderators' card, given its state, in the server's language."""
    _ = words or language(ENGLISH)
    buttons = [CLAIM.button(alert.id, words=_)] if alert.claimed_at is None else []
    if alert.backup_at is not None:
        asked = _.context("button", "Backup asked for")
        buttons.append(BACKUP.button(alert.id, disabled=True, label=asked))
    else:
        buttons.append(BACKUP.button(alert.id, words=_))
    if alert.claimed_at is not None and not alert.anonymous and alert.thread_id is None:
        buttons.append(THREAD.button(alert.id, words=_))
    return carried(*buttons)


PEERS_LINE = N_(
    "The moderators here are peers who care, not a crisis service, so they may not see it "
    "straight away."
)


def danger_line(country: str | None, emergency: str | None, words: Language | None = None) -> str:
    """Return the immediate-danger sentence, with the number when the country is known."""
    _ = words or language(ENGLISH)
    if emergency:
        return _(
            "If you are in immediate danger, please call %(number)s (%(country)s) now.",
            number=code(emergency),
            country=country,
        )
    return _("If you are in immediate danger, please call your local emergency number now.")


def is_private_channel(channel: discord.abc.GuildChannel) -> bool:
    """Return whether @everyone cannot see the channel (the moderator alerts channel must not be public)."""
    return not channel.permissions_for(channel.guild.default_role).view_channel


def alert_text(alert: Alert, who: str | None = None, words: Language | None = None) -> str:
    """Return the first text of the moderators' card; an anonymous request names nobody."""
    _ = words or language(ENGLISH)
    if alert.anonymous:
        return _(
            "A member asked, **anonymously**, for someone here to check in on them. Hearth keeps "
            "no record of who it was, so you can't reach them directly. A gentle general post "
            "(moderators are around, and `/crisis` has numbers) can help."
        )
    name = f"**{who}** (<@{alert.user_id}>)" if who else f"<@{alert.user_id}>"
    return _(
        "%(name)s asked, through `/crisis`, for someone here to check in on them. They didn't "
        "write anything else: Hearth only passes on the request. A kind message, or a private "
        "thread, is a good start.",
        name=name,
    )


def _status(alert: Alert, _: Language) -> str:
    if alert.claimed_at is not None:
        when = f"<t:{int(alert.claimed_at.timestamp())}:R>"
        if alert.claimed_by:
            status = _(
                "%(moderator)s is reaching out · %(when)s",
                moderator=user_mention(alert.claimed_by),
                when=when,
            )
        else:
            status = _("A moderator is reaching out · %(when)s", when=when)
    else:
        status = _("Waiting for someone to say **I'll reach out**.")
    if alert.thread_id:
        status += "\n" + _("Private thread: %(thread)s", thread=channel_mention(alert.thread_id))
    return status


def _backup(alert: Alert, when: str, _: Language) -> str:
    if alert.backup_by:
        return _(
            "%(moderator)s asked for backup · %(when)s",
            moderator=user_mention(alert.backup_by),
            when=when,
        )
    return _("A moderator asked for backup · %(when)s", when=when)


def alert_embed(
    alert: Alert,
    who: str | None = None,
    description: str | None = None,
    words: Language | None = None,
) -> discord.Embed:
    """Render a check-in request for the moderators, with its status and buttons' outcome.

    `description` keeps the card's first text when it is updated (the member's display
    name is shown when the request is posted, and never stored). The card is a post in the
    moderators' channel, so `words` is the server's language.
    """
    _ = words or language(ENGLISH)
    description = description or alert_text(alert, who, _)
    embed = discord.Embed(
        title=_("💛 Someone would like a check-in"), description=description, colour=WARM
    )
    embed.add_field(name=_("Status"), value=_status(alert, _), inline=False)
    if alert.backup_at is not None:
        when = f"<t:{int(alert.backup_at.timestamp())}:R>"
        embed.add_field(name=_("Backup"), value=_backup(alert, when, _), inline=False)
    embed.add_field(
        name=_("Remember"),
        value=_(
            "You're a peer, not a crisis service. If they may be in danger, point them to "
            "`/crisis` and their local emergency number."
        ),
        inline=False,
    )
    embed.set_footer(
        text=_.plural(
            "Check-in request #%(id)s · kept for %(count)s day",
            "Check-in request #%(id)s · kept for %(count)s days",
            ALERT_RETENTION.days,
            id=alert.id,
        )
    )
    embed.timestamp = alert.created_at
    return embed
