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

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HearthBot
from bot.errors import InvalidInput
from bot.i18n import ENGLISH, N_, Language, language
from bot.services.crisis import (
    CrisisServerSettings,
    CrisisService,
    RequestFollowUps,
    ShareDelivery,
)
from bot.services.settings import SettingsService
from bot.ui import (
    MAX_STORED_ID,
    choices_fitted,
    defer,
    guild_of,
    reply_private,
    update,
)
from bot.ui.crisis_card import CrisisCards, country_name, sort_key
from cogs.crisis import _render as render
from cogs.crisis._alerts import AlertCardHandlers
from cogs.crisis._views import ask_choices, persistent_items

log = logging.getLogger(__name__)

NO_DEFAULT = "-"
SELF_SHARE = N_(
    "You can't send this to yourself, but `/crisis` shows you the same card, privately."
)
NOT_IN_SERVER = N_(
    "It looks like you're not in that server any more, so I can't ask its moderators."
)


class CrisisCog(AlertCardHandlers, commands.Cog):
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

    def __init__(
        self,
        bot: HearthBot,
        crisis: CrisisService,
        settings: SettingsService,
        cards: CrisisCards,
        requests: RequestFollowUps,
        shares: ShareDelivery,
    ) -> None:
        self.bot = bot
        self.crisis = crisis
        self.settings = settings
        self.cards = cards
        self.requests = requests
        self.share_delivery = shares
        self.persistent_items = persistent_items(self)
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
        """Show the crisis card privately, in the member's language."""
        _ = language(interaction.locale)
        message = await self.cards.for_member(
            interaction.user.id,
            interaction.guild_id,
            query=self._known_as(country, _) if country else None,
            words=_,
        )
        await reply_private(interaction, **message.kwargs())

    def _known_as(self, query: str, _: Language) -> str:
        """Return the code of the country the member named in their language, else the query."""
        if _.code != ENGLISH:
            folded = sort_key(query.strip()).casefold()
            for country in self.crisis.directory.countries:
                if sort_key(country_name(country.code, country.name, _)).casefold() == folded:
                    return country.code
        return query

    async def country_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest countries from the dataset as the member types (in their language too)."""
        _ = language(interaction.locale)
        found = list(self.crisis.search_countries(current, 25))
        if _.code != ENGLISH and current.strip():
            folded = sort_key(current.strip()).casefold()
            local = [
                country
                for country in self.crisis.directory.countries
                if folded in sort_key(country_name(country.code, country.name, _)).casefold()
            ]
            found = list({country.code: country for country in [*local, *found]}.values())
        return [
            app_commands.Choice(
                name=f"{country_name(country.code, country.name, _)} ({country.code})",
                value=country.code,
            )
            for country in found[:25]
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
            interaction.user.id,
            guild_id,
            code=code,
            shared=shared,
            words=language(interaction.locale),
        )
        await update(interaction, **message.kwargs())

    async def show_picker(
        self, interaction: discord.Interaction, guild_id: int | None, shared: bool
    ) -> None:
        """Replace the card with the country picker."""
        picker = self.cards.picker(guild_id, shared=shared, words=language(interaction.locale))
        await update(interaction, **picker.kwargs())

    async def picked(
        self,
        interaction: discord.Interaction,
        picked: list[str],
        guild_id: int | None,
        shared: bool,
        page: int,
    ) -> None:
        """Show the card of the country picked in one of the picker's selects."""
        if not picked or self.crisis.directory.by_code(picked[0]) is None:
            raise InvalidInput(N_("Please choose a country from the list."))
        await self.show_card(interaction, guild_id, shared, picked[0])

    # ----- /crisis-country -----------------------------------------------------------------
    @country_group.command(name="set", description="Save your country so /crisis shows it first")
    @app_commands.describe(country="Your country, by name or code")
    async def country_set(self, interaction: discord.Interaction, country: str) -> None:
        """Save the member's country privately."""
        _ = language(interaction.locale)
        saved = await self.crisis.save_country(interaction.user.id, self._known_as(country, _))
        await reply_private(
            interaction,
            _(
                "Saved: **%(country)s**. `/crisis` will show its lines first. Only you can see "
                "this; `/crisis-country clear` or `/mydata delete` removes it.",
                country=country_name(saved.code, saved.name, _),
            ),
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
        _ = language(interaction.locale)
        removed = await self.crisis.clear_country(interaction.user.id)
        await reply_private(
            interaction,
            _("Done: your country is forgotten. `/crisis` will ask you next time.")
            if removed
            else _("You hadn't saved a country, so there was nothing to forget."),
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
        _ = language(interaction.locale)
        stop = choice.value == "stop"
        await self.crisis.set_share_opt_out(interaction.user.id, stop)
        await reply_private(
            interaction,
            _(
                "Done: Hearth won't pass support resources on to you from others. Nobody is "
                "told. `/crisis` still works whenever you want it."
            )
            if stop
            else _("Done: people can send you support resources again (at most one a day)."),
        )

    async def opt_out(self, interaction: discord.Interaction) -> None:
        """Stop shares from the button on a shared card."""
        await self.crisis.set_share_opt_out(interaction.user.id, True)
        await reply_private(interaction, language(interaction.locale)(render.OPTED_OUT))

    # ----- Share support resources ---------------------------------------------------------
    async def share_resources(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Send the author of a message the card privately, never naming who asked."""
        guild = guild_of(interaction)
        author = message.author
        if author.bot or author.system or message.webhook_id is not None:
            raise InvalidInput(N_("Support resources can only be sent to people, not to bots."))
        if author.id == interaction.user.id:
            raise InvalidInput(SELF_SHARE)
        await defer(interaction)
        decision = await self.crisis.share(interaction.user.id, author.id)
        # Answer first, the same words whatever was decided, then deliver.
        await reply_private(interaction, language(interaction.locale)(render.SHARE_CONFIRMATION))
        if decision.send:
            await self.share_delivery.deliver(author.id, guild.id, guild.name)

    # ----- asking for a person -------------------------------------------------------------
    async def offer_ask(
        self, interaction: discord.Interaction, guild_id: int, code: str | None
    ) -> None:
        """Explain what asking does and let the member choose named or anonymous."""
        _ = language(interaction.locale)
        danger = render.danger(self.crisis.directory.by_code(code) if code else None, _)
        config = await self.settings.get(guild_id)
        if config is None or config.alerts_channel_id is None:
            await reply_private(interaction, render.no_alerts_channel(danger, _))
            return
        await reply_private(
            interaction, render.ask_offer(danger, _), view=ask_choices(guild_id, code, _)
        )

    async def send_named(
        self, interaction: discord.Interaction, guild_id: int, code: str | None
    ) -> None:
        """Ask the moderators for a check-in, with the member's name."""
        await self.send_alert(interaction, guild_id, code, named=True)

    async def send_anonymous(
        self, interaction: discord.Interaction, guild_id: int, code: str | None
    ) -> None:
        """Ask the moderators for a check-in without saying who asked."""
        await self.send_alert(interaction, guild_id, code, named=False)

    async def not_now(self, interaction: discord.Interaction) -> None:
        """Send nothing, and say so."""
        await update(interaction, content=language(interaction.locale)(render.NOT_NOW), view=None)

    async def send_alert(
        self, interaction: discord.Interaction, guild_id: int, code: str | None, named: bool
    ) -> None:
        """Post the request in the moderator alerts channel and tell the member what was sent."""
        await defer(interaction, thinking=False)
        _ = language(interaction.locale)
        danger = render.danger(self.crisis.directory.by_code(code) if code else None, _)
        guild = self.bot.get_guild(guild_id)

        async def name() -> str:
            who = await self._display_name(interaction, guild_id)
            return discord.utils.escape_markdown(who)

        origin = interaction.channel_id if named and interaction.guild_id == guild_id else None
        result = await self.requests.ask_moderators(
            guild_id,
            interaction.user.id,
            name=name if named else None,
            origin_channel_id=origin,
        )
        told = render.request_told(
            result.status, guild.name if guild else "", result.who, danger, _
        )
        await update(interaction, content=told, view=None)

    async def _display_name(self, interaction: discord.Interaction, guild_id: int) -> str:
        user = interaction.user
        if isinstance(user, discord.Member) and user.guild.id == guild_id:
            return user.display_name
        guild = self.bot.get_guild(guild_id)
        member = None
        if guild is not None:
            with contextlib.suppress(discord.NotFound):
                member = await guild.fetch_member(user.id)
        if member is None:
            raise InvalidInput(NOT_IN_SERVER)
        return member.display_name

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
        _ = language(interaction.locale)
        if default_country is None and detection is None and alert_on_detection is None:
            current = await self.crisis.settings(guild.id)
            embed = await self._settings_embed(guild, current, _("Crisis settings"), _)
            await reply_private(interaction, embed=embed)
            return
        chosen = self._known_as(default_country, _) if default_country else None
        updated = await self.crisis.update_settings(
            guild.id,
            interaction.user.id,
            default_country=chosen if default_country != NO_DEFAULT else None,
            clear_default_country=default_country == NO_DEFAULT,
            detection_enabled=detection,
            alert_on_detection=alert_on_detection,
        )
        embed = await self._settings_embed(guild, updated, _("Saved"), _)
        await reply_private(interaction, embed=embed)

    @settings_command.autocomplete("default_country")
    @choices_fitted
    async def default_country_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest countries, and no default."""
        choices = await self.country_choices(interaction, current)
        _ = language(interaction.locale)
        no_default = _.context("choice", "No default (ask each member)")
        return [
            app_commands.Choice(name=no_default, value=NO_DEFAULT),
            *choices[:24],
        ]

    async def _settings_embed(
        self, guild: discord.Guild, current: CrisisServerSettings, title: str, _: Language
    ) -> discord.Embed:
        config = await self.settings.get_or_default(guild.id)
        resources = await self.crisis.resources(guild.id)
        return render.settings_embed(
            guild, config, current, resources, self.crisis.directory, title, _
        )

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
        _ = language(interaction.locale)
        added = await self.crisis.add_resource(
            guild.id,
            interaction.user.id,
            name=name,
            reach=reach,
            description=description,
            country=self._known_as(country, _) if country else None,
        )
        shown_with = self.crisis.directory.by_code(added.country_code or "")
        await reply_private(
            interaction,
            _(
                "Added **%(name)s**. It shows after the national lines, with the %(country)s card.",
                name=added.name,
                country=render.named(shown_with, _),
            )
            if shown_with is not None
            else _(
                "Added **%(name)s**. It shows after the national lines, on every card in this "
                "server.",
                name=added.name,
            ),
            allowed_mentions=discord.AllowedMentions.none(),
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
            raise InvalidInput(N_("Please pick the resource from the list as you type."))
        removed = await self.crisis.remove_resource(guild.id, interaction.user.id, int(resource))
        _ = language(interaction.locale)
        await reply_private(
            interaction,
            _("Removed **%(name)s**.", name=removed.name),
            allowed_mentions=discord.AllowedMentions.none(),
        )

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
        _ = language(interaction.locale)
        if not resources:
            await reply_private(
                interaction,
                _("No local resources yet. Add one with `/crisis-setup resources add`."),
            )
            return
        embed = render.resources_embed(resources, self.crisis.directory, _)
        await reply_private(interaction, embed=embed)
