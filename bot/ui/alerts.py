"""The moderators' "someone would like a check-in" card, shared by every feature that posts it.

The card's buttons (I'll reach out, Need backup, Open a private thread) are handled by the crisis
cog, which registers them; any feature can post the card with `alert_view`, because discord.py
finds the handler by the buttons' custom_ids.
"""

from __future__ import annotations

import discord

from bot.services.crisis import ALERT_RETENTION, Alert
from bot.ui.components import ButtonSpec, carried
from bot.ui.text import WARM

CLAIM = ButtonSpec("hearth:crisis:claim", "I'll reach out", discord.ButtonStyle.success, ("alert",))
BACKUP = ButtonSpec("hearth:crisis:backup", "Need backup", discord.ButtonStyle.danger, ("alert",))
THREAD = ButtonSpec(
    "hearth:crisis:thread", "Open a private thread", discord.ButtonStyle.primary, ("alert",)
)


def alert_view(alert: Alert) -> discord.ui.View:
    """Return the buttons for the moderators' card, given its state."""
    buttons = [CLAIM.button(alert.id)] if alert.claimed_at is None else []
    if alert.backup_at is not None:
        buttons.append(BACKUP.button(alert.id, disabled=True, label="Backup asked for"))
    else:
        buttons.append(BACKUP.button(alert.id))
    if alert.claimed_at is not None and not alert.anonymous and alert.thread_id is None:
        buttons.append(THREAD.button(alert.id))
    return carried(*buttons)


PEERS_LINE = (
    "The moderators here are peers who care, not a crisis service, so they may not see it "
    "straight away."
)


def danger_line(country: str | None, emergency: str | None) -> str:
    """Return the immediate-danger sentence, with the number when the country is known."""
    if emergency:
        return f"If you are in immediate danger, please call `{emergency}` ({country}) now."
    return "If you are in immediate danger, please call your local emergency number now."


def is_private_channel(channel: discord.abc.GuildChannel) -> bool:
    """Return whether @everyone cannot see the channel (the moderator alerts channel must not be public)."""
    return not channel.permissions_for(channel.guild.default_role).view_channel


def alert_text(alert: Alert, who: str | None = None) -> str:
    """Return the first text of the moderators' card; an anonymous request names nobody."""
    if alert.anonymous:
        return (
            "A member asked, **anonymously**, for someone here to check in on them. Hearth keeps "
            "no record of who it was, so you can't reach them directly. A gentle general post "
            "(moderators are around, and `/crisis` has numbers) can help."
        )
    name = f"**{who}** (<@{alert.user_id}>)" if who else f"<@{alert.user_id}>"
    return (
        f"{name} asked, through `/crisis`, for someone here to check in on them. They didn't "
        "write anything else: Hearth only passes on the request. A kind message, or a private "
        "thread, is a good start."
    )


def alert_embed(
    alert: Alert, who: str | None = None, description: str | None = None
) -> discord.Embed:
    """Render a check-in request for the moderators, with its status and buttons' outcome.

    `description` keeps the card's first text when it is updated (the member's display
    name is shown when the request is posted, and never stored).
    """
    description = description or alert_text(alert, who)
    embed = discord.Embed(
        title="💛 Someone would like a check-in", description=description, colour=WARM
    )
    if alert.claimed_at is not None:
        who_claimed = f"<@{alert.claimed_by}>" if alert.claimed_by else "A moderator"
        status = f"{who_claimed} is reaching out · <t:{int(alert.claimed_at.timestamp())}:R>"
    else:
        status = "Waiting for someone to say **I'll reach out**."
    if alert.thread_id:
        status += f"\nPrivate thread: <#{alert.thread_id}>"
    embed.add_field(name="Status", value=status, inline=False)
    if alert.backup_at is not None:
        who_asked = f"<@{alert.backup_by}>" if alert.backup_by else "A moderator"
        embed.add_field(
            name="Backup",
            value=f"{who_asked} asked for backup · <t:{int(alert.backup_at.timestamp())}:R>",
            inline=False,
        )
    embed.add_field(
        name="Remember",
        value=(
            "You're a peer, not a crisis service. If they may be in danger, point them to "
            "`/crisis` and their local emergency number."
        ),
        inline=False,
    )
    embed.set_footer(text=f"Check-in request #{alert.id} · kept for {ALERT_RETENTION.days} days")
    embed.timestamp = alert.created_at
    return embed
