"""The moderators' check-in request card: I'll reach out, Need backup, Open a private thread."""

from __future__ import annotations

import logging

import discord

from bot.services.crisis import Alert, CrisisService, RequestFollowUps
from bot.services.settings import GuildConfig, SettingsService
from bot.ui import defer, edit, guild_of, reply_private, require_moderator, update
from bot.ui.alerts import alert_embed, alert_view

log = logging.getLogger(__name__)


class AlertCardHandlers:
    """The card's button handlers, a part of the crisis cog (which provides the attributes)."""

    crisis: CrisisService
    settings: SettingsService
    requests: RequestFollowUps

    async def require_moderator(self, interaction: discord.Interaction) -> GuildConfig:
        """Return the server's settings if the member is a moderator; otherwise explain."""
        return await require_moderator(interaction, self.settings)

    def _updated_card(self, interaction: discord.Interaction, alert: Alert) -> discord.Embed:
        """Re-render the moderators' card, keeping its first text as it was posted."""
        message = interaction.message
        description = message.embeds[0].description if message and message.embeds else None
        return alert_embed(alert, description=description)

    async def claim(self, interaction: discord.Interaction, alert_id: int) -> None:
        """Record that this moderator will reach out, and show it on the card."""
        config = await self.require_moderator(interaction)
        alert, newly = await self.crisis.claim_alert(alert_id, config.guild_id, interaction.user.id)
        if not newly:
            await reply_private(interaction, "You've already said you'll reach out about this one.")
            return
        await update(
            interaction,
            embed=self._updated_card(interaction, alert),
            view=alert_view(alert),
        )

    async def backup(self, interaction: discord.Interaction, alert_id: int) -> None:
        """Ask the other moderators for backup, once, and show it on the card."""
        config = await self.require_moderator(interaction)
        alert, newly = await self.crisis.request_backup(
            alert_id, config.guild_id, interaction.user.id
        )
        if not newly:
            who = f"<@{alert.backup_by}>" if alert.backup_by else "A moderator"
            await reply_private(interaction, f"{who} already asked for backup on this one.")
            return
        await update(
            interaction,
            embed=self._updated_card(interaction, alert),
            view=alert_view(alert),
        )
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
        if alert.thread_id:
            await reply_private(
                interaction, f"The private thread is already open: <#{alert.thread_id}>"
            )
            return
        await defer(interaction)
        thread_id = await self.requests.open_thread(alert, interaction.user.id, config)
        await reply_private(interaction, f"Opened <#{thread_id}>.")
        if interaction.message is not None:
            updated = await self.crisis.alert(alert.id, guild.id)
            try:
                await edit(
                    interaction.message,
                    embed=self._updated_card(interaction, updated),
                    view=alert_view(updated),
                )
            except discord.HTTPException:
                log.info("Could not update a check-in card in guild %s", guild.id)
