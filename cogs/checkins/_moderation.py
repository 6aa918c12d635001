"""What moderators do with a check-in: reports, removal, pauses and reveal, without names.

What a moderator or member is answered privately is in their language; the cards in the
moderators' channel, and what the author is told by DM, in the server's.
"""

from __future__ import annotations

import contextlib
import logging

import discord

from bot.errors import NotConfigured
from bot.i18n import N_, Language, language, server_language
from bot.services.checkins import CheckinModeration, CheckinPost, CheckinService, Notice
from bot.services.settings import SettingsService
from bot.ui import (
    NO_MENTIONS,
    carried,
    defer,
    edit,
    guild_of,
    is_moderator,
    open_modal,
    reply_private,
    require_moderator,
    send,
    update,
)
from cogs.checkins import _render as render
from cogs.checkins._port import DiscordCheckinPort
from cogs.checkins._views import (
    APPROVE,
    DECLINE,
    PAUSE,
    REMOVE,
    REVEAL,
    ReasonForm,
    ReportForm,
)

log = logging.getLogger(__name__)


class CheckinModerators:
    """The moderators' side of check-ins: the report menu, its card, and the actions on it."""

    def __init__(
        self,
        moderation: CheckinModeration,
        checkins: CheckinService,
        settings: SettingsService,
        port: DiscordCheckinPort,
    ) -> None:
        self.moderation = moderation
        self.checkins = checkins
        self.settings = settings
        self.port = port

    async def require_moderator(self, interaction: discord.Interaction) -> None:
        """Refuse kindly unless the member is a moderator."""
        await require_moderator(interaction, self.settings)

    async def require_alerts_channel(self, guild_id: int) -> discord.TextChannel:
        """Return the private moderator-alerts channel, or explain what to fix."""
        channel = await self.port.alerts_channel(guild_id)
        if channel is None:
            raise NotConfigured(
                N_(
                    "This needs a private moderator-alerts channel, and there isn't one: a "
                    "moderator can choose it with `/setup channels` and hide it from @everyone. "
                    "Nothing was sent."
                )
            )
        return channel

    async def server_words(self, guild_id: int, guild_locale: object = None) -> Language:
        """Return the server's language, for the moderators' channel and the authors' DMs."""
        config = await self.settings.get(guild_id)
        return server_language(guild_locale, chosen=config.language if config else None)

    # ----- reports ---------------------------------------------------------------------------
    async def report_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Report a check-in (members), or open the moderation card (moderators)."""
        guild = guild_of(interaction)
        post = await self.moderation.find_post(guild.id, message.id)
        config = await self.settings.get_or_default(guild.id)
        _ = language(interaction.locale)
        if is_moderator(interaction.user, config.moderator_role_id):
            await reply_private(
                interaction,
                embed=render.moderation_embed(post, _),
                view=self.moderation_view(post, _),
            )
            return
        await open_modal(interaction, ReportForm(self, guild.id, message.id, _))

    def moderation_view(self, post: CheckinPost, _: Language) -> discord.ui.View:
        """Return Remove / Pause author / Ask to reveal for one check-in."""
        buttons = [
            REMOVE.button(post.guild_id, post.id, words=_),
            PAUSE.button(post.guild_id, post.id, words=_),
        ]
        if post.reveal_possible:
            buttons.append(REVEAL.button(post.guild_id, post.id, words=_))
        return carried(*buttons)

    async def reported(
        self, interaction: discord.Interaction, guild_id: int, message_id: int, reason: str
    ) -> None:
        """Tell the moderators in the alerts channel; one card per check-in, updated."""
        channel = await self.require_alerts_channel(guild_id)
        post = await self.moderation.report(guild_id, message_id)
        public = await self.server_words(guild_id, channel.guild.preferred_locale)
        embed = render.alert_embed(post, reason.strip() or None, public)
        view = self.moderation_view(post, public)
        if post.report_message_id:
            try:
                await edit(
                    channel.get_partial_message(post.report_message_id), embed=embed, view=view
                )
            except discord.NotFound:
                await self._new_report_card(channel, post, embed, view)
        else:
            await self._new_report_card(channel, post, embed, view)
        await reply_private(
            interaction,
            language(interaction.locale)(
                N_(
                    "Thank you. The moderators have been told, privately. Your name wasn't shared "
                    "with them, and the author won't know who reported it."
                )
            ),
        )

    async def _new_report_card(
        self,
        channel: discord.TextChannel,
        post: CheckinPost,
        embed: discord.Embed,
        view: discord.ui.View,
    ) -> None:
        sent = await send(channel, embed=embed, view=view, allowed_mentions=NO_MENTIONS)
        await self.moderation.record_report_card(post.id, sent.id)

    # ----- the card's buttons ----------------------------------------------------------------
    async def _ask(self, interaction: discord.Interaction, form: discord.ui.Modal) -> None:
        """Open a moderator's form after checking they are one."""
        await self.require_moderator(interaction)
        await open_modal(interaction, form)

    async def ask_to_remove(
        self, interaction: discord.Interaction, guild_id: int, checkin_id: int
    ) -> None:
        """Ask the moderator why they remove this check-in."""
        form = ReasonForm(self, "remove", guild_id, checkin_id, language(interaction.locale))
        await self._ask(interaction, form)

    async def ask_to_pause(
        self, interaction: discord.Interaction, guild_id: int, checkin_id: int
    ) -> None:
        """Ask the moderator for how long, and why, they pause this check-in's author."""
        _ = language(interaction.locale)
        await self._ask(
            interaction, ReasonForm(self, "pause", guild_id, checkin_id, _, ask_days=True)
        )

    async def ask_to_reveal(
        self, interaction: discord.Interaction, guild_id: int, checkin_id: int
    ) -> None:
        """Ask the moderator why this check-in's author should be revealed."""
        form = ReasonForm(self, "reveal", guild_id, checkin_id, language(interaction.locale))
        await self._ask(interaction, form)

    # ----- actions ---------------------------------------------------------------------------
    async def remove(
        self, interaction: discord.Interaction, guild_id: int, checkin_id: int, reason: str
    ) -> None:
        """Remove a check-in: delete the post and its thread, tell the author privately."""
        await defer(interaction)
        post = await self.moderation.remove(guild_id, checkin_id, interaction.user.id, reason)
        if post.channel_id and post.message_id:
            with contextlib.suppress(discord.NotFound):
                await self.port.delete_message(post.channel_id, post.message_id)
            if post.thread_id:
                try:
                    await self.port.delete_thread(post.thread_id, reason="Check-in removed")
                except discord.HTTPException:
                    log.warning("Could not delete the thread of removed check-in %s", post.id)
        await reply_private(
            interaction,
            language(interaction.locale)(
                N_(
                    "Removed check-in %(ref)s. Its author will be told privately the next time they "
                    "use Hearth here; nobody learned who they are."
                ),
                ref=post.ref,
            ),
        )

    async def pause(
        self,
        interaction: discord.Interaction,
        guild_id: int,
        checkin_id: int,
        days: int,
        reason: str,
    ) -> None:
        """Pause a check-in's author without learning who they are."""
        paused = await self.moderation.pause(
            guild_id, checkin_id, interaction.user.id, days, reason
        )
        _ = language(interaction.locale)
        values = {"ref": paused.post.ref, "until": render.ts(paused.until)}
        await reply_private(
            interaction,
            _(
                "Paused the author of check-in %(ref)s until %(until)s (shortened: the pause "
                "can't outlast the grace period that still recognises them). They will be told "
                "privately; nobody learned who they are.",
                **values,
            )
            if paused.shortened
            else _(
                "Paused the author of check-in %(ref)s until %(until)s. They will be told "
                "privately; nobody learned who they are.",
                **values,
            ),
        )

    # ----- reveal (off by default) -----------------------------------------------------------
    async def request_reveal(
        self, interaction: discord.Interaction, guild_id: int, checkin_id: int, reason: str
    ) -> None:
        """Post a reveal request for a second moderator to approve or decline."""
        channel = await self.require_alerts_channel(guild_id)
        request = await self.moderation.request_reveal(
            guild_id, checkin_id, interaction.user.id, reason
        )
        public = await self.server_words(guild_id, channel.guild.preferred_locale)
        view = carried(
            APPROVE.button(guild_id, request.id, words=public),
            DECLINE.button(guild_id, request.id, words=public),
        )
        embed = render.reveal_request_embed(request, public)
        await send(channel, embed=embed, view=view, allowed_mentions=NO_MENTIONS)
        await reply_private(
            interaction,
            language(interaction.locale)(
                N_("Your request is in the alerts channel, waiting for a second moderator.")
            ),
        )

    async def approve_reveal(
        self, interaction: discord.Interaction, guild_id: int, reveal_id: int
    ) -> None:
        """Reveal to the two moderators; log it; tell the author."""
        await self.require_moderator(interaction)
        revealed = await self.moderation.approve_reveal(guild_id, reveal_id, interaction.user.id)
        request = revealed.request
        public = await self.server_words(guild_id, interaction.guild_locale)
        await update(interaction, embed=render.reveal_approved_embed(revealed, public), view=None)
        who = N_(
            "Check-in %(ref)s (%(pseudonym)s) was written by <@%(author)s>. Please handle this "
            "with care."
        )
        values = {
            "ref": request.post.ref,
            "pseudonym": request.post.pseudonym,
            "author": revealed.author_id,
        }
        await reply_private(interaction, language(interaction.locale)(who, **values))
        await self.port.send_dm(request.requested_by, public(who, **values))
        server = interaction.guild.name if interaction.guild else public(N_("your server"))
        told = await self.port.send_dm(
            revealed.author_id,
            public(
                N_(
                    "For someone's safety, two moderators of %(server)s found out that you "
                    "wrote your anonymous check-in %(ref)s, as the server's settings allowed "
                    "when you posted it. Their reason: %(reason)s"
                ),
                server=server,
                ref=request.post.ref,
                reason=request.reason,
            ),
        )
        if not told:
            await self.checkins.leave_notice(
                request.post.id,
                Notice(
                    N_(
                        "Two moderators found out that you wrote your anonymous check-in "
                        "%(ref)s, as this server's settings allowed. Their reason: %(reason)s"
                    ),
                    {"ref": request.post.ref, "reason": request.reason},
                ),
            )

    async def decline_reveal(
        self, interaction: discord.Interaction, guild_id: int, reveal_id: int
    ) -> None:
        """Decline a reveal request."""
        await self.require_moderator(interaction)
        ref = await self.moderation.decline_reveal(guild_id, reveal_id, interaction.user.id)
        public = await self.server_words(guild_id, interaction.guild_locale)
        await update(
            interaction,
            embed=render.reveal_declined_embed(interaction.user.id, ref, public),
            view=None,
        )
