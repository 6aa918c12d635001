"""`/setup`: moderators choose roles, channels and the language; Hearth says what it can do there.

Answers to moderators are in their own language (`interaction.locale`); the welcome message is
a public post, in the server's language (`/setup language`, else Discord's community locale).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HearthBot
from bot.domain.setup_checks import (
    ChannelFacts,
    Problem,
    RoleFacts,
    channel_problems,
    role_problems,
)
from bot.errors import InvalidInput
from bot.i18n import N_, Language, language, server_language
from bot.i18n import language as reader_language
from bot.services.audit import AuditRecord
from bot.services.modlog import ModeratorLog
from bot.services.settings import GuildConfig, SettingsService
from bot.ui import (
    NO_MENTIONS,
    WARM,
    guild_of,
    read_agreement_view,
    reply_private,
    send,
)

log = logging.getLogger(__name__)

# Each setting: its short name (for problems) and its label with a note (for the list).
ROLE_LABELS = {
    "member_role_id": (
        N_("Member role"),
        N_("Member role (granted on accepting the agreement)"),
    ),
    "facilitator_role_id": (N_("Facilitator role"), N_("Facilitator role (runs circles)")),
    "moderator_role_id": (N_("Moderator role"), N_("Moderator role")),
}
CHANNEL_LABELS = {
    "welcome_channel_id": (N_("Welcome channel"), N_("Welcome channel")),
    "checkin_channel_id": (N_("Check-in channel"), N_("Check-in channel")),
    "circles_channel_id": (N_("Circles channel"), N_("Circles channel")),
    "alerts_channel_id": (
        N_("Moderator alerts channel"),
        N_("Moderator alerts channel (keep it private to moderators)"),
    ),
    "modlog_channel_id": (
        N_("Moderator log channel"),
        N_("Moderator log channel (keep it private to moderators)"),
    ),
}
DEFAULT_LANGUAGE = "default"
# Hearth's languages by their own names: a moderator finds theirs whatever language they read.
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "pt_BR": "Português (Brasil)",
}
NOT_SET = N_("not set")
ROLE_GONE = N_("a role that no longer exists")
CHANNEL_GONE = N_("a channel that no longer exists")
GRACE_LABEL = N_("Re-acceptance grace period")
NOT_SET_UP = N_(
    "Hearth isn't set up here yet. Start with `/setup roles` to choose the member role, "
    "then `/setup channels`."
)


def role_facts(role: discord.Role) -> RoleFacts:
    """Extract what matters about a role."""
    return RoleFacts(role.name, role.position, role.managed, role.is_default())


def channel_facts(channel: discord.abc.GuildChannel) -> ChannelFacts:
    """Extract what the bot may do in a channel."""
    me = channel.guild.me
    perms = channel.permissions_for(me)
    kind = "text" if isinstance(channel, discord.TextChannel) else channel.type.name
    return ChannelFacts(
        channel.name, kind, perms.view_channel, perms.send_messages, perms.embed_links
    )


def said(problems: list[Problem], _: Language) -> list[str]:
    """Return the problems as sentences in the reader's language."""
    return [_(problem.text, **problem.values) for problem in problems]


def language_line(guild: discord.Guild, config: GuildConfig, _: Language) -> str:
    """Say which language Hearth's public posts are in, and why."""
    label = _("Language of public posts")
    if config.language:
        return f"**{label}**: {LANGUAGE_NAMES.get(config.language, config.language)}"
    shown = LANGUAGE_NAMES[server_language(guild.preferred_locale).code]
    return f"**{label}**: " + _("the server's Discord language (%(language)s)", language=shown)


def describe_settings(
    guild: discord.Guild, config: GuildConfig, _: Language
) -> tuple[list[str], list[str]]:
    """Return the settings as lines, and the problems Hearth sees with them."""
    lines, problems = [], []
    me = guild.me
    for name, (short, label) in ROLE_LABELS.items():
        role_id = getattr(config, name)
        role = guild.get_role(role_id) if role_id else None
        if role_id is None:
            lines.append(f"**{_(label)}**: {_(NOT_SET)}")
        elif role is None:
            lines.append(f"**{_(label)}**: {_(ROLE_GONE)}")
            problems.append(
                _("%(setting)s: the role was deleted, please choose another.", setting=_(short))
            )
        else:
            lines.append(f"**{_(label)}**: {role.mention}")
            if name == "member_role_id":
                found = role_problems(
                    role_facts(role),
                    bot_top_position=me.top_role.position,
                    bot_can_manage_roles=me.guild_permissions.manage_roles,
                )
                problems += said(found, _)
    for name, (short, label) in CHANNEL_LABELS.items():
        channel_id = getattr(config, name)
        channel = guild.get_channel(channel_id) if channel_id else None
        if channel_id is None:
            lines.append(f"**{_(label)}**: {_(NOT_SET)}")
        elif channel is None:
            lines.append(f"**{_(label)}**: {_(CHANNEL_GONE)}")
            problems.append(
                _("%(setting)s: the channel was deleted, please choose another.", setting=_(short))
            )
        else:
            lines.append(f"**{_(label)}**: {channel.mention}")
            problems += said(channel_problems(channel_facts(channel)), _)
    grace = config.reaccept_grace_days
    period = (
        _.plural("%(count)s day", "%(count)s days", grace)
        if grace
        else _("off (the member role is never taken back)")
    )
    lines.append(f"**{_(GRACE_LABEL)}**: {period}")
    lines.append(language_line(guild, config, _))
    return lines, problems


def settings_embed(
    guild: discord.Guild, config: GuildConfig, heading: str, _: Language
) -> discord.Embed:
    """Render settings and problems as one card, in the moderator's language."""
    lines, problems = describe_settings(guild, config, _)
    embed = discord.Embed(title=heading, description="\n".join(lines), colour=WARM)
    if problems:
        embed.add_field(
            name=_("Needs fixing"),
            value="\n".join(f"⚠️ {p}" for p in problems)[:1024],
            inline=False,
        )
    else:
        embed.add_field(
            name=_("Checks"), value="✅ " + _("Hearth can do everything it needs here.")
        )
    return embed


def welcome_embed(guild: discord.Guild, _: Language) -> discord.Embed:
    """Render the public welcome message, in the server's language."""
    return discord.Embed(
        title=_("Welcome to %(guild)s", guild=guild.name),
        description=_(
            "This is a peer-support community: we listen, share, and look out for each other "
            "as equals. Before joining in, please read our group agreement. It keeps this "
            "space safe for everyone.\n\nIf you are in danger right now, use `/crisis` "
            "for numbers you can call."
        ),
        colour=WARM,
    )


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SetupCog(
    commands.GroupCog, group_name="setup", group_description="Set Hearth up (moderators)"
):
    """Server setup for moderators."""

    def __init__(self, settings: SettingsService) -> None:
        self.settings = settings
        super().__init__()

    @app_commands.command(name="show", description="Show Hearth's settings and anything to fix")
    async def show(self, interaction: discord.Interaction) -> None:
        """Show the current settings privately."""
        _ = language(interaction.locale)
        guild = guild_of(interaction)
        config = await self.settings.get(guild.id)
        if config is None:
            await reply_private(interaction, _(NOT_SET_UP))
            return
        embed = settings_embed(guild, config, _("Hearth settings"), _)
        await reply_private(interaction, embed=embed)

    async def _save_choices(
        self,
        interaction: discord.Interaction,
        picked: Mapping[str, discord.Role | discord.TextChannel | None],
        noun: str,
    ) -> None:
        """Save the picked roles or channels, audit the change, and show what Hearth sees."""
        _ = language(interaction.locale)
        guild = guild_of(interaction)
        chosen = {name: value for name, value in picked.items() if value is not None}
        if not chosen:
            if noun == "role":
                raise InvalidInput(N_("Pick at least one role to set."))
            raise InvalidInput(N_("Pick at least one channel to set."))
        prefix = "#" if noun == "channel" else "@"
        summary = "set " + ", ".join(
            f"{name.removesuffix('_id').replace('_', ' ')} to {prefix}{value.name}"
            for name, value in chosen.items()
        )
        config = await self.settings.update(
            guild.id, interaction.user.id, summary, **{k: v.id for k, v in chosen.items()}
        )
        heading = _("Roles saved") if noun == "role" else _("Channels saved")
        await reply_private(interaction, embed=settings_embed(guild, config, heading, _))

    @app_commands.command(
        name="roles", description="Choose the member, facilitator and moderator roles"
    )
    @app_commands.describe(
        member="Granted when someone accepts the group agreement",
        facilitator="People who run circles",
        moderator="People who may use moderator commands (besides Manage Server)",
    )
    async def roles(
        self,
        interaction: discord.Interaction,
        member: discord.Role | None = None,
        facilitator: discord.Role | None = None,
        moderator: discord.Role | None = None,
    ) -> None:
        """Save role choices and check the member role can be granted."""
        for role in (member, facilitator, moderator):
            if role is not None and role.is_default():
                raise InvalidInput(N_("@everyone can't be used here: please pick a specific role."))
            if role is not None and role.managed:
                raise InvalidInput(
                    N_("“%(role)s” belongs to an integration: please pick another role."),
                    role=role.name,
                )
        picked = {
            "member_role_id": member,
            "facilitator_role_id": facilitator,
            "moderator_role_id": moderator,
        }
        await self._save_choices(interaction, picked, "role")

    @app_commands.command(name="channels", description="Choose the channels Hearth uses")
    @app_commands.describe(
        welcome="Where the welcome message with the agreement button lives",
        checkin="Where anonymous check-ins are posted",
        circles="Where circles are announced",
        alerts="Private moderator channel for alerts",
        modlog="Private moderator channel for the log of moderator actions",
    )
    async def channels(
        self,
        interaction: discord.Interaction,
        welcome: discord.TextChannel | None = None,
        checkin: discord.TextChannel | None = None,
        circles: discord.TextChannel | None = None,
        alerts: discord.TextChannel | None = None,
        modlog: discord.TextChannel | None = None,
    ) -> None:
        """Save channel choices (Discord offers text channels only) and check Hearth can post."""
        picked = {
            "welcome_channel_id": welcome,
            "checkin_channel_id": checkin,
            "circles_channel_id": circles,
            "alerts_channel_id": alerts,
            "modlog_channel_id": modlog,
        }
        await self._save_choices(interaction, picked, "channel")

    @app_commands.command(
        name="grace", description="Days members keep their role after a material change"
    )
    @app_commands.describe(days="0 turns it off: the member role is then never taken back")
    async def grace(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 0, 90]
    ) -> None:
        """Set the re-acceptance grace period."""
        _ = language(interaction.locale)
        guild = guild_of(interaction)
        summary = (
            f"set the re-acceptance grace period to {days} days"
            if days
            else "turned the re-acceptance grace period off"
        )
        await self.settings.update(guild.id, interaction.user.id, summary, reaccept_grace_days=days)
        await reply_private(
            interaction,
            _.plural(
                "Saved. After a material change members keep their role for %(count)s day "
                "while they re-read the agreement.",
                "Saved. After a material change members keep their role for %(count)s days "
                "while they re-read the agreement.",
                days,
            )
            if days
            else _(
                "Saved. Members will be asked to re-read the agreement, but their role won't "
                "be taken back."
            ),
        )

    @app_commands.command(
        name="language", description="The language of Hearth's public posts in this server"
    )
    @app_commands.describe(
        language="Public posts use it; private answers stay in each member's own language"
    )
    @app_commands.choices(
        language=[
            app_commands.Choice(name="Server default (Discord's)", value=DEFAULT_LANGUAGE),
            *(app_commands.Choice(name=name, value=code) for code, name in LANGUAGE_NAMES.items()),
        ]
    )
    async def language(
        self, interaction: discord.Interaction, language: app_commands.Choice[str]
    ) -> None:
        """Choose the language of public posts (welcome message, announcements, cards)."""
        _ = reader_language(interaction.locale)
        guild = guild_of(interaction)
        code = None if language.value == DEFAULT_LANGUAGE else language.value
        await self.settings.set_language(guild.id, interaction.user.id, code)
        if code is None:
            shown = LANGUAGE_NAMES[server_language(guild.preferred_locale).code]
            text = _(
                "Saved. Hearth's public posts here (the welcome message, check-in posts, "
                "announcements, moderator cards) will follow the server's Discord language, "
                "now %(language)s. Private answers stay in each member's own language.",
                language=shown,
            )
        else:
            text = _(
                "Saved. Hearth's public posts here (the welcome message, check-in posts, "
                "announcements, moderator cards) will be in %(language)s. Private answers stay "
                "in each member's own language.",
                language=LANGUAGE_NAMES[code],
            )
        note = _("Posts already made stay as they are; `/setup welcome` posts the welcome again.")
        await reply_private(interaction, f"{text}\n{note}")

    @app_commands.command(
        name="welcome", description="Post the welcome message with the agreement button"
    )
    async def welcome(self, interaction: discord.Interaction) -> None:
        """Post (or re-post) the welcome message in the welcome channel, in the server's language."""
        _ = language(interaction.locale)
        guild = guild_of(interaction)
        config = await self.settings.require(guild.id, "welcome_channel_id")
        channel = guild.get_channel(config.welcome_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            raise InvalidInput(
                N_("The welcome channel no longer exists: choose one with `/setup channels`.")
            )
        problems = channel_problems(channel_facts(channel))
        if problems:
            await reply_private(interaction, " ".join(said(problems, _)))
            return
        public = server_language(guild.preferred_locale, chosen=config.language)
        message = await send(
            channel,
            embed=welcome_embed(guild, public),
            view=read_agreement_view(words=public),
            allowed_mentions=NO_MENTIONS,
        )
        await self.settings.update(
            guild.id,
            interaction.user.id,
            f"posted the welcome message in #{channel.name}",
            welcome_message_id=message.id,
        )
        await reply_private(
            interaction, _("Posted the welcome message in %(channel)s.", channel=channel.mention)
        )


class DiscordModlogPort:
    """Posts audit records in a moderator-log channel (ModlogPort)."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post_record(self, channel_id: int, record: AuditRecord) -> None:
        """Post one line naming who did what, when (nothing if the channel is gone)."""
        channel = self._client.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return
        who = f"<@{record.actor_id}>" if record.actor_id else "Hearth"
        await send(
            channel,
            f"📝 {who} {record.summary} · <t:{int(record.created_at.timestamp())}:f>",
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: HearthBot) -> None:
    """Load the setup cog and route the audit trail to the moderator log."""
    modlog = ModeratorLog(bot.services.settings, DiscordModlogPort(bot))
    bot.services.audit.subscribe(modlog.publish)
    await bot.add_cog(SetupCog(bot.services.settings))
