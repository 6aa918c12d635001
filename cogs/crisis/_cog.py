"""The crisis signpost: `/crisis`, a member's country, local resources, asking for a person.

Command tree (Discord cannot run a command that has subcommands on its own, so the plain
`/crisis` a member in distress types stays one short command, and the rest sit beside it):

    /crisis [country]                        the card, privately (servers and DMs)
    /crisis-country set <country> | clear    save or forget your country (private)
    /crisis-shares <stop|allow>              whether others may send you support resources
    /crisis-setup settings [...]             moderators: default country, detection opt-ins
    /crisis-setup resources add|remove|list  moderators: local resources
    Message menu "Share support resources"   DM the author the card, never naming the sender
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HearthBot
from bot.errors import InvalidInput
from bot.services.crisis import (
    Alert,
    CrisisServerSettings,
    CrisisService,
)
from bot.services.settings import GuildConfig, SettingsService
from bot.ui import (
    MAX_STORED_ID,
    NO_MENTIONS,
    WARM,
    choices_fitted,
    edit,
    guarded,
    guild_of,
    reply_private,
    require_moderator,
    send,
    update,
)
from bot.ui.alerts import (
    BACKUP,
    CLAIM,
    PEERS_LINE,
    THREAD,
    alert_embed,
    alert_view,
    danger_line,
    is_private_channel,
)
from bot.ui.crisis_card import (
    OPT_OUT_ID,
    CrisisCards,
    ask_button,
    choose_button,
    country_pages,
    country_select,
    opt_out_button,
)

log = logging.getLogger(__name__)

TIDY_JOB = "crisis.tidy"
NO_DEFAULT = "-"
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


class CrisisCog(commands.Cog):
    """Pointing people, privately, to help that is there right now."""

    country_group = app_commands.Group(
        name="crisis-country",
        description="Save your country for /crisis (only you can see it)",
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
    )
    admin = app_commands.Group(
        name="crisis-setup",
        description="Crisis signpost settings (moderators)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    resources_group = app_commands.Group(
        name="resources", description="Local resources shown after the national lines", parent=admin
    )

    def __init__(self, bot: HearthBot, crisis: CrisisService, settings: SettingsService) -> None:
        self.bot = bot
        self.crisis = crisis
        self.settings = settings
        self.cards = CrisisCards(crisis)
        self.persistent_items = _make_items(self)
        self.share_menu = app_commands.ContextMenu(
            name="Share support resources",
            callback=self.share_resources,
            allowed_contexts=app_commands.AppCommandContext(guild=True),
        )

    async def cog_load(self) -> None:
        """Add the message menu, which discord.py cannot declare inside a cog."""
        self.bot.tree.add_command(self.share_menu)

    async def cog_unload(self) -> None:
        """Remove the message menu."""
        self.bot.tree.remove_command(self.share_menu.name, type=self.share_menu.type)

    # ----- /crisis -------------------------------------------------------------------------
    @app_commands.command(
        name="crisis", description="Helplines you can call, text or chat with right now (private)"
    )
    @app_commands.describe(
        country="Your country, by name or code (leave empty to use your saved one)"
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def crisis_command(
        self, interaction: discord.Interaction, country: str | None = None
    ) -> None:
        """Show the crisis card privately."""
        message = await self.cards.for_member(
            interaction.user.id, interaction.guild_id, query=country
        )
        await reply_private(interaction, **message.kwargs())

    async def country_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest countries from the dataset as the member types."""
        return [
            app_commands.Choice(name=f"{country.name} ({country.code})", value=country.code)
            for country in self.crisis.search_countries(current, 25)
        ]

    @crisis_command.autocomplete("country")
    @choices_fitted
    async def crisis_country_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest countries for /crisis."""
        return await self.country_choices(interaction, current)

    async def show_card(
        self, interaction: discord.Interaction, guild_id: int | None, shared: bool, code: str
    ) -> None:
        """Replace the card (or picker) with another country's card."""
        message = await self.cards.for_member(
            interaction.user.id, guild_id, code=code, shared=shared
        )
        await update(interaction, **message.kwargs())

    async def show_picker(
        self, interaction: discord.Interaction, guild_id: int | None, shared: bool
    ) -> None:
        """Replace the card with the country picker."""
        await update(interaction, **self.cards.picker(guild_id, shared=shared).kwargs())

    # ----- /crisis-country -----------------------------------------------------------------
    @country_group.command(name="set", description="Save your country so /crisis shows it first")
    @app_commands.describe(country="Your country, by name or code")
    async def country_set(self, interaction: discord.Interaction, country: str) -> None:
        """Save the member's country privately."""
        saved = await self.crisis.save_country(interaction.user.id, country)
        await reply_private(
            interaction,
            f"Saved: **{saved.name}**. `/crisis` will show its lines first. Only you can see "
            "this; `/crisis-country clear` or `/mydata delete` removes it.",
        )

    @country_set.autocomplete("country")
    @choices_fitted
    async def country_set_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest countries for /crisis-country set."""
        return await self.country_choices(interaction, current)

    @country_group.command(name="clear", description="Forget the country you saved")
    async def country_clear(self, interaction: discord.Interaction) -> None:
        """Forget the member's country."""
        removed = await self.crisis.clear_country(interaction.user.id)
        await reply_private(
            interaction,
            "Done: your country is forgotten. `/crisis` will ask you next time."
            if removed
            else "You hadn't saved a country, so there was nothing to forget.",
        )

    # ----- /crisis-shares ------------------------------------------------------------------
    @app_commands.command(
        name="crisis-shares", description="Choose whether others may send you support resources"
    )
    @app_commands.describe(choice="Stop or allow private messages with support resources")
    @app_commands.choices(
        choice=[
            app_commands.Choice(name="Stop: don't send me support resources", value="stop"),
            app_commands.Choice(name="Allow them again", value="allow"),
        ]
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def shares(
        self, interaction: discord.Interaction, choice: app_commands.Choice[str]
    ) -> None:
        """Opt out of (or back into) shared support resources."""
        stop = choice.value == "stop"
        await self.crisis.set_share_opt_out(interaction.user.id, stop)
        await reply_private(
            interaction,
            "Done: Hearth won't pass support resources on to you from others. Nobody is told. "
            "`/crisis` still works whenever you want it."
            if stop
            else "Done: people can send you support resources again (at most one a day).",
        )

    async def opt_out(self, interaction: discord.Interaction) -> None:
        """Stop shares from the button on a shared card."""
        await self.crisis.set_share_opt_out(interaction.user.id, True)
        await reply_private(
            interaction,
            "Done: Hearth won't pass these on to you any more, and whoever shared this isn't "
            "told. You can change your mind with `/crisis-shares`.",
        )

    # ----- Share support resources ---------------------------------------------------------
    async def share_resources(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Send the author of a message the card privately, never naming who asked."""
        guild = guild_of(interaction)
        author = message.author
        if author.bot or author.system or message.webhook_id is not None:
            raise InvalidInput("Support resources can only be sent to people, not to bots.")
        if author.id == interaction.user.id:
            raise InvalidInput(
                "You can't send this to yourself, but `/crisis` shows you the same card, privately."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        decision = await self.crisis.share(interaction.user.id, author.id)
        # Answer first, the same words whatever was decided, then deliver.
        await reply_private(interaction, SHARE_CONFIRMATION)
        if decision.send:
            await self.deliver_share(author.id, guild)

    async def deliver_share(self, recipient_id: int, guild: discord.Guild) -> None:
        """DM the recipient the card; a closed DM is not an error."""
        card = await self.cards.for_member(recipient_id, guild.id, shared=True)
        kwargs = card.kwargs()
        kwargs["content"] = SHARED_INTRO.format(guild=discord.utils.escape_markdown(guild.name))
        try:
            channel = await self.bot.create_dm(discord.Object(id=recipient_id))
            await send(channel, allowed_mentions=NO_MENTIONS, **kwargs)
        except discord.HTTPException:
            log.info("Shared support resources could not be delivered (closed DMs?)")

    # ----- asking for a person -------------------------------------------------------------
    async def offer_ask(
        self, interaction: discord.Interaction, guild_id: int, code: str | None
    ) -> None:
        """Explain what asking does and let the member choose named or anonymous."""
        country = self.crisis.directory.by_code(code) if code else None
        danger = danger_line(
            country.name if country else None, country.emergency if country else None
        )
        config = await self.settings.get(guild_id)
        if config is None or config.alerts_channel_id is None:
            await reply_private(
                interaction,
                "This server hasn't set up a private moderator channel for Hearth yet, so I "
                "can't pass a message on. If there's a moderator or friend you trust, you could "
                f"message them directly. The lines on the card are there for you right now.\n\n{danger}",
            )
            return
        view = discord.ui.View(timeout=None)
        for item in self.persistent_items.ask_choices(guild_id, code):
            view.add_item(item)
        await reply_private(
            interaction,
            "I can post a private note in this server's moderator channel saying you'd like "
            f"someone to check in on you. Only moderators see that channel. {PEERS_LINE}\n\n"
            "Do you want them to know it's you? If you stay anonymous, they'll only know that "
            f"someone asked, so they can't reach you personally.\n\n{danger}",
            view=view,
        )

    async def send_alert(
        self, interaction: discord.Interaction, guild_id: int, code: str | None, named: bool
    ) -> None:
        """Post the request in the moderator alerts channel and tell the member what was sent."""
        await interaction.response.defer()
        country = self.crisis.directory.by_code(code) if code else None
        danger = danger_line(
            country.name if country else None, country.emergency if country else None
        )
        guild = self.bot.get_guild(guild_id)
        config = await self.settings.get(guild_id)
        channel = (
            guild.get_channel(config.alerts_channel_id)
            if guild is not None and config is not None and config.alerts_channel_id
            else None
        )
        if guild is None or not isinstance(channel, discord.TextChannel):
            await self._told(
                interaction,
                "I couldn't find this server's moderator channel, so nothing was sent. "
                f"The lines on the card are there for you right now.\n\n{danger}",
            )
            return
        if not is_private_channel(channel):
            log.warning(
                "Not posting a check-in request: the alerts channel in %s is public", guild_id
            )
            await self._told(
                interaction,
                "This server's moderator channel isn't private, so I didn't post anything there. "
                f"The lines on the card are there for you right now.\n\n{danger}",
            )
            return
        who = await self._display_name(interaction, guild) if named else None
        who = discord.utils.escape_markdown(who) if who else None
        origin = interaction.channel_id if named and interaction.guild_id == guild_id else None
        alert = await self.crisis.open_alert(
            guild_id, interaction.user.id, named=named, origin_channel_id=origin
        )
        try:
            posted = await send(channel, **self._alert_message(alert, config, who))
        except discord.HTTPException:
            await self.crisis.withdraw_alert(alert, interaction.user.id)
            log.warning("Could not post a check-in request in guild %s", guild_id)
            await self._told(
                interaction,
                "I couldn't post in the moderator channel (a moderator may need to check my "
                f"permissions with `/setup show`), so nothing was sent. The lines on the card are "
                f"there for you right now.\n\n{danger}",
            )
            return
        await self.crisis.posted_alert(alert.id, channel.id, posted.id)
        if named:
            sent = (
                f"Sent. I posted a private note in **{guild.name}**'s moderator channel (only "
                f"moderators can see it) saying that **{who}** would like someone to check in. "
                "I didn't include anything you wrote. A moderator will reach out when they can, "
                "by message or in a private thread."
            )
        else:
            sent = (
                f"Sent. I posted a private note in **{guild.name}**'s moderator channel saying "
                "that *someone* would like a check-in. It doesn't say who you are, and Hearth "
                "keeps no record of who asked, so the moderators can't reach you directly."
            )
        await self._told(interaction, f"{sent}\n\n{PEERS_LINE} {danger}")

    async def _told(self, interaction: discord.Interaction, text: str) -> None:
        await update(interaction, content=text, view=None)

    async def _display_name(self, interaction: discord.Interaction, guild: discord.Guild) -> str:
        if isinstance(interaction.user, discord.Member) and interaction.user.guild.id == guild.id:
            return interaction.user.display_name
        try:
            member = await guild.fetch_member(interaction.user.id)
        except discord.NotFound:
            raise InvalidInput(
                "It looks like you're not in that server any more, so I can't ask its moderators."
            ) from None
        return member.display_name

    def _alert_message(self, alert: Alert, config: GuildConfig, who: str | None) -> dict[str, Any]:
        role_id = config.moderator_role_id
        return {
            "content": f"<@&{role_id}> someone would like a check-in." if role_id else None,
            "embed": alert_embed(alert, who),
            "view": alert_view(alert),
            "allowed_mentions": discord.AllowedMentions(
                everyone=False,
                users=False,
                roles=[discord.Object(id=role_id)] if role_id else False,
            ),
        }

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
        role_id = config.moderator_role_id
        ping = f"<@&{role_id}> " if role_id else ""
        link = interaction.message.jump_url if interaction.message else ""
        if interaction.channel is not None and isinstance(
            interaction.channel, discord.abc.Messageable
        ):
            await send(
                interaction.channel,
                f"{ping}<@{interaction.user.id}> asked for backup on check-in request "
                f"#{alert.id}. {link}",
                allowed_mentions=discord.AllowedMentions(
                    everyone=False,
                    users=False,
                    roles=[discord.Object(id=role_id)] if role_id else False,
                ),
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
        await interaction.response.defer(ephemeral=True, thinking=True)
        parent = self._thread_parent(guild, alert, config)
        if parent is None:
            raise InvalidInput(
                f"I couldn't find a channel to open the thread in. You can message <@{alert.user_id}> "
                "directly instead."
            )
        try:
            await guild.fetch_member(alert.user_id)
        except discord.NotFound:
            raise InvalidInput(
                f"<@{alert.user_id}> doesn't seem to be in the server any more (they may have left "
                "the server), so I didn't open a thread."
            ) from None
        try:
            thread = await parent.create_thread(
                name="A quiet check-in",
                type=discord.ChannelType.private_thread,
                auto_archive_duration=10080,
            )
        except discord.HTTPException:
            log.warning("Could not open a private check-in thread in guild %s", guild.id)
            raise InvalidInput(
                f"I couldn't open a private thread in {parent.mention} (I need Create Private "
                f"Threads there). You can message <@{alert.user_id}> directly instead."
            ) from None
        try:
            await thread.add_user(discord.Object(id=alert.user_id))
            await thread.add_user(interaction.user)
            await send(
                thread,
                f"<@{alert.user_id}>, <@{interaction.user.id}> is here to check in with you, as "
                "you asked. This thread is private: only the two of you (and server staff who "
                "manage threads) can see it. Moderators are peers, not a crisis service: if you "
                "are in danger, `/crisis` has numbers you can call right now.",
                allowed_mentions=discord.AllowedMentions(
                    everyone=False,
                    roles=False,
                    users=[discord.Object(id=alert.user_id), interaction.user],
                ),
            )
        except discord.HTTPException:
            log.warning("Could not set up a private check-in thread in guild %s", guild.id)
            with contextlib.suppress(discord.HTTPException):
                await thread.delete()
            raise InvalidInput(
                f"I couldn't add <@{alert.user_id}> to a private thread (I may need Send Messages "
                "in Threads there). You can message them directly instead."
            ) from None
        await self.crisis.record_thread(alert.id, thread.id)
        await reply_private(interaction, f"Opened {thread.mention}.")
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

    def _thread_parent(
        self, guild: discord.Guild, alert: Alert, config: GuildConfig
    ) -> discord.TextChannel | None:
        """Return a channel the member can see: where they asked, else the welcome channel."""
        for channel_id in (alert.origin_channel_id, config.welcome_channel_id):
            channel = guild.get_channel(channel_id) if channel_id else None
            if isinstance(channel, discord.TextChannel):
                return channel
        return None

    # ----- /crisis-setup -------------------------------------------------------------------
    @admin.command(name="settings", description="Default country and detection (moderators)")
    @app_commands.describe(
        default_country="Shown to members who haven't saved a country",
        detection="Offer the card privately when a check-in may signal crisis (off by default)",
        alert_on_detection="Also tell moderators when that happens (off by default)",
    )
    async def settings_command(
        self,
        interaction: discord.Interaction,
        default_country: str | None = None,
        detection: bool | None = None,
        alert_on_detection: bool | None = None,
    ) -> None:
        """Show or change the server's crisis settings."""
        await self.require_moderator(interaction)
        guild = guild_of(interaction)
        if default_country is None and detection is None and alert_on_detection is None:
            current = await self.crisis.settings(guild.id)
            await reply_private(
                interaction, embed=await self._settings_embed(guild, current, "Crisis settings")
            )
            return
        updated = await self.crisis.update_settings(
            guild.id,
            interaction.user.id,
            default_country=default_country if default_country != NO_DEFAULT else None,
            clear_default_country=default_country == NO_DEFAULT,
            detection_enabled=detection,
            alert_on_detection=alert_on_detection,
        )
        await reply_private(interaction, embed=await self._settings_embed(guild, updated, "Saved"))

    @settings_command.autocomplete("default_country")
    @choices_fitted
    async def default_country_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest countries, and no default."""
        choices = await self.country_choices(interaction, current)
        return [
            app_commands.Choice(name="No default (ask each member)", value=NO_DEFAULT),
            *choices[:24],
        ]

    async def _settings_embed(
        self, guild: discord.Guild, current: CrisisServerSettings, title: str
    ) -> discord.Embed:
        country = (
            self.crisis.directory.by_code(current.default_country)
            if current.default_country
            else None
        )
        config = await self.settings.get_or_default(guild.id)
        resources = await self.crisis.resources(guild.id)
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

    @resources_group.command(
        name="add", description="Add a local resource to the card (moderators)"
    )
    @app_commands.describe(
        name="For example: Harbour peer line",
        reach="How to reach it: a number, link or place",
        description="One line: what it is and who it is for",
        country="Only show it with this country's card (leave empty for everyone)",
    )
    async def resource_add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 80],
        reach: app_commands.Range[str, 1, 200],
        description: app_commands.Range[str, 1, 200],
        country: str | None = None,
    ) -> None:
        """Add a local resource."""
        await self.require_moderator(interaction)
        guild = guild_of(interaction)
        added = await self.crisis.add_resource(
            guild.id,
            interaction.user.id,
            name=name,
            reach=reach,
            description=description,
            country=country,
        )
        where = (
            f"with the {self.crisis.directory.by_code(added.country_code).name} card"  # type: ignore[union-attr]
            if added.country_code
            else "on every card in this server"
        )
        await reply_private(
            interaction, f"Added **{added.name}**. It shows after the national lines, {where}."
        )

    @resource_add.autocomplete("country")
    @choices_fitted
    async def resource_country_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest countries for a resource."""
        return await self.country_choices(interaction, current)

    @resources_group.command(name="remove", description="Remove a local resource (moderators)")
    @app_commands.describe(resource="The resource to remove")
    async def resource_remove(self, interaction: discord.Interaction, resource: str) -> None:
        """Remove a local resource."""
        await self.require_moderator(interaction)
        guild = guild_of(interaction)
        if not (resource.isascii() and resource.isdigit()) or int(resource) > MAX_STORED_ID:
            raise InvalidInput("Please pick the resource from the list as you type.")
        removed = await self.crisis.remove_resource(guild.id, interaction.user.id, int(resource))
        await reply_private(interaction, f"Removed **{removed.name}**.")

    @resource_remove.autocomplete("resource")
    @choices_fitted
    async def resource_remove_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest this server's resources."""
        if interaction.guild_id is None:
            return []
        folded = current.casefold()
        return [
            app_commands.Choice(name=resource.name[:100], value=str(resource.id))
            for resource in await self.crisis.resources(interaction.guild_id)
            if folded in resource.name.casefold()
        ][:25]

    @resources_group.command(
        name="list", description="List this server's local resources (moderators)"
    )
    async def resource_list(self, interaction: discord.Interaction) -> None:
        """List local resources privately."""
        await self.require_moderator(interaction)
        guild = guild_of(interaction)
        resources = await self.crisis.resources(guild.id)
        if not resources:
            await reply_private(
                interaction, "No local resources yet. Add one with `/crisis-setup resources add`."
            )
            return
        lines = []
        for resource in resources:
            country = (
                self.crisis.directory.by_code(resource.country_code)
                if resource.country_code
                else None
            )
            scope = f" · {country.name} only" if country else ""
            lines.append(f"**{resource.name}**{scope}\n{resource.reach}\n{resource.description}")
        embed = discord.Embed(
            title="Local resources", description="\n\n".join(lines)[:4000], colour=WARM
        )
        await reply_private(interaction, embed=embed)

    # ----- jobs ----------------------------------------------------------------------------
    async def tidy(self) -> None:
        """Erase old requests and limits that have run out."""
        removed = await self.crisis.tidy()
        if removed:
            log.info("Tidied %d crisis records", removed)


class _Items:
    """The crisis cog's persistent component classes, and views built from them."""

    def __init__(self, classes: dict[str, type[discord.ui.DynamicItem[Any]]]) -> None:
        self.classes = classes

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.classes.values())

    def ask_choices(self, guild_id: int, code: str | None) -> list[discord.ui.Item[Any]]:
        """Return Share my name / Stay anonymous / Cancel."""
        send = self.classes["send"]
        return [
            send(guild_id, code, True),  # type: ignore[call-arg]
            send(guild_id, code, False),  # type: ignore[call-arg]
            self.classes["cancel"](),  # type: ignore[call-arg]
        ]


def _make_items(cog: CrisisCog) -> _Items:
    """Build the persistent components, bound to the loaded cog."""

    def guild_from(raw: str) -> int | None:
        return int(raw) or None

    class Choose(
        discord.ui.DynamicItem[discord.ui.Button],
        template=r"hearth:crisis:choose:(?P<guild>\d+):(?P<shared>[01])",
    ):
        def __init__(self, guild_id: int | None, shared: bool) -> None:
            super().__init__(choose_button(guild_id, shared))
            self.guild_id, self.shared = guild_id, shared

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any
        ) -> Choose:
            return cls(guild_from(match["guild"]), match["shared"] == "1")

        async def callback(self, interaction: discord.Interaction) -> None:
            await guarded(interaction, cog.show_picker(interaction, self.guild_id, self.shared))

    class Pick(
        discord.ui.DynamicItem[discord.ui.Select],
        template=r"hearth:crisis:pick:(?P<guild>\d+):(?P<shared>[01]):(?P<page>\d+)",
    ):
        def __init__(self, guild_id: int | None, shared: bool, page: int) -> None:
            pages = country_pages(cog.crisis.directory.countries)
            countries = pages[page] if page < len(pages) else pages[0]
            super().__init__(country_select(guild_id, shared, page, countries))
            self.guild_id, self.shared = guild_id, shared

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Select, match: Any
        ) -> Pick:
            return cls(guild_from(match["guild"]), match["shared"] == "1", int(match["page"]))

        async def callback(self, interaction: discord.Interaction) -> None:
            await guarded(interaction, self._pick(interaction))

        async def _pick(self, interaction: discord.Interaction) -> None:
            values = self.item.values
            if not values or cog.crisis.directory.by_code(values[0]) is None:
                raise InvalidInput("Please choose a country from the list.")
            await cog.show_card(interaction, self.guild_id, self.shared, values[0])

    class Ask(
        discord.ui.DynamicItem[discord.ui.Button],
        template=r"hearth:crisis:ask:(?P<guild>\d+):(?P<code>[A-Z]{2}|-)",
    ):
        def __init__(self, guild_id: int, code: str | None) -> None:
            super().__init__(ask_button(guild_id, code))
            self.guild_id, self.code = guild_id, code

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any
        ) -> Ask:
            code = match["code"]
            return cls(int(match["guild"]), None if code == "-" else code)

        async def callback(self, interaction: discord.Interaction) -> None:
            await guarded(interaction, cog.offer_ask(interaction, self.guild_id, self.code))

    class Send(
        discord.ui.DynamicItem[discord.ui.Button],
        template=r"hearth:crisis:send:(?P<kind>named|anon):(?P<guild>\d+):(?P<code>[A-Z]{2}|-)",
    ):
        def __init__(self, guild_id: int, code: str | None, named: bool) -> None:
            kind = "named" if named else "anon"
            super().__init__(
                discord.ui.Button(
                    label="Yes, share my name" if named else "No, stay anonymous",
                    style=discord.ButtonStyle.primary if named else discord.ButtonStyle.secondary,
                    custom_id=f"hearth:crisis:send:{kind}:{guild_id}:{code or '-'}",
                )
            )
            self.guild_id, self.code, self.named = guild_id, code, named

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any
        ) -> Send:
            code = match["code"]
            return cls(int(match["guild"]), None if code == "-" else code, match["kind"] == "named")

        async def callback(self, interaction: discord.Interaction) -> None:
            await guarded(
                interaction, cog.send_alert(interaction, self.guild_id, self.code, self.named)
            )

    class Cancel(discord.ui.DynamicItem[discord.ui.Button], template=r"hearth:crisis:askcancel"):
        def __init__(self) -> None:
            super().__init__(
                discord.ui.Button(
                    label="Not now",
                    style=discord.ButtonStyle.secondary,
                    custom_id="hearth:crisis:askcancel",
                )
            )

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any
        ) -> Cancel:
            return cls()

        async def callback(self, interaction: discord.Interaction) -> None:
            await guarded(
                interaction,
                update(
                    interaction,
                    content="Okay, nothing was sent. The card is still there whenever you need it.",
                    view=None,
                ),
            )

    class OptOut(discord.ui.DynamicItem[discord.ui.Button], template=OPT_OUT_ID):
        def __init__(self) -> None:
            super().__init__(opt_out_button())

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any
        ) -> OptOut:
            return cls()

        async def callback(self, interaction: discord.Interaction) -> None:
            await guarded(interaction, cog.opt_out(interaction))

    return _Items(
        {
            "choose": Choose,
            "pick": Pick,
            "ask": Ask,
            "send": Send,
            "cancel": Cancel,
            "optout": OptOut,
            "claim": CLAIM.handled_by(cog.claim),
            "backup": BACKUP.handled_by(cog.backup),
            "thread": THREAD.handled_by(cog.open_thread),
        }
    )


async def setup(bot: HearthBot) -> None:
    """Load the crisis cog, its persistent components and its tidy job."""
    cog = CrisisCog(bot, bot.services.crisis, bot.services.settings)
    bot.add_dynamic_items(*cog.persistent_items)
    bot.scheduler.every(TIDY_JOB, 3600, cog.tidy)
    await bot.add_cog(cog)
