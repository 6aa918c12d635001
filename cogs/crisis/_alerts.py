"""The moderators' check-in request card: I'll reach out, Need backup, Open a private thread."""

from __future__ import annotations

import logging

import discord

from bot.i18n import language, server_language
from bot.services.crisis import Alert, CrisisService, RequestFollowUps
from bot.services.settings import GuildConfig, SettingsService
from bot.ui import defer, edit, guild_of, reply_private, require_moderator, update
from bot.ui.alerts import alert_embed, alert_view
from bot.ui.text import channel_mention, user_mention

log = logging.getLogger(__name__)


class AlertCardHandlers:
    """The card's button handlers, a part of the crisis cog (which provides the attributes)."""

    crisis: CrisisService
    settings: SettingsService
    requests: RequestFollowUps

    async def require_moderator(self, interaction: discord.Interaction) -> GuildConfig:
        """Return the server's settings if the member is a moderator; otherwise explain."""
        return await require_moderator(interaction, self.settings)

    def _updated_card(self, interaction: discord.Interaction, alert: Alert) -> dict[str, object]:
        """Re-render the moderators' card in the server's language, keeping its first text."""
        message = interaction.message
        description = message.embeds[0].description if message and message.embeds else None
        words = server_language(interaction.guild_locale)
        return {
            "embed": alert_embed(alert, description=description, words=words),
            "view": alert_view(alert, words),
        }

    async def claim(self, interaction: discord.Interaction, alert_id: int) -> None:
        """Record that this moderator will reach out, and show it on the card."""
        config = await self.require_moderator(interaction)
        alert, newly = await self.crisis.claim_alert(alert_id, config.guild_id, interaction.user.id)
        if not newly:
            _ = language(interaction.locale)
            await reply_private(
                interaction, _("You've already said you'll reach out about this one.")
            )
            return
        await update(interaction, **self._updated_card(interaction, alert))

    async def backup(self, interaction: discord.Interaction, alert_id: int) -> None:
        """Ask the other moderators for backup, once, and show it on the card."""
        config = await self.require_moderator(interaction)
        alert, newly = await self.crisis.request_backup(
            alert_id, config.guild_id, interaction.user.id
        )
        if not newly:
            _ = language(interaction.locale)
            said = (
                _(
                    "%(moderator)s already asked for backup on this one.",
                    moderator=user_mention(alert.backup_by),
                )
                if alert.backup_by
                else _("A moderator already asked for backup on this one.")
            )
            await reply_private(interaction, said)
            return
        await update(interaction, **self._updated_card(interaction, alert))
        if interaction.channel_id is not None:
            card_url = interaction.message.jump_url if interaction.message else ""
            await self.requests.call_backup(
                alert, interaction.user.id, config, interaction.channel_id, card_url
            )

    async def open_thread(self, interaction: discord.Interaction, alert_id: int) -> None:
        """Open a private thread with the member and the moderator who claimed the request."""
        config = await self.require_moderator(interaction)
        guild = guild_of(interaction)
        alert = await self.crisis.thread_target(alert_id, guild.id, interaction.user.id)
        _ = language(interaction.locale)
        if alert.thread_id:
            await reply_private(
                interaction,
                _(
                    "The private thread is already open: %(thread)s",
                    thread=channel_mention(alert.thread_id),
                ),
            )
            return
        await defer(interaction)
        thread_id = await self.requests.open_thread(alert, interaction.user.id, config)
        await reply_private(interaction, _("Opened %(thread)s.", thread=channel_mention(thread_id)))
        if interaction.message is not None:
            updated = await self.crisis.alert(alert.id, guild.id)
            try:
                await edit(interaction.message, **self._updated_card(interaction, updated))
            except discord.HTTPException:
                log.info("Could not update a check-in card in guild %s", guild.id)
