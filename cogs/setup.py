"""`/setup`: moderators choose roles and channels; Hearth says what it can and cannot do there."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HearthBot
from bot.domain.setup_checks import ChannelFacts, RoleFacts, channel_problems, role_problems
from bot.errors import InvalidInput
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

ROLE_LABELS = {
    "member_role_id": "Member role (granted on accepting the agreement)",
    "facilitator_role_id": "Facilitator role (runs circles)",
    "moderator_role_id": "Moderator role",
}
CHANNEL_LABELS = {
    "welcome_channel_id": "Welcome channel",
    "checkin_channel_id": "Check-in channel",
    "circles_channel_id": "Circles channel",
    "alerts_channel_id": "Moderator alerts channel (keep it private to moderators)",
    "modlog_channel_id": "Moderator log channel (keep it private to moderators)",
}


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


def describe_settings(guild: discord.Guild, config: GuildConfig) -> tuple[list[str], list[str]]:
    """Return the settings as lines, and the problems Hearth sees with them."""
    lines, problems = [], []
    me = guild.me
    for name, label in ROLE_LABELS.items():
        role_id = getattr(config, name)
        role = guild.get_role(role_id) if role_id else None
        if role_id is None:
            lines.append(f"**{label}**: not set")
        elif role is None:
            lines.append(f"**{label}**: a role that no longer exists")
            problems.append(f"{label.split(' (')[0]}: the role was deleted, please choose another.")
        else:
            lines.append(f"**{label}**: {role.mention}")
            if name == "member_role_id":
                problems += role_problems(
                    role_facts(role),
                    bot_top_position=me.top_role.position,
                    bot_can_manage_roles=me.guild_permissions.manage_roles,
                )
    for name, label in CHANNEL_LABELS.items():
        channel_id = getattr(config, name)
        channel = guild.get_channel(channel_id) if channel_id else None
        if channel_id is None:
            lines.append(f"**{label}**: not set")
        elif channel is None:
            lines.append(f"**{label}**: a channel that no longer exists")
            problems.append(
                f"{label.split(' (')[0]}: the channel was deleted, please choose another."
            )
        else:
            lines.append(f"**{label}**: {channel.mention}")
            problems += channel_problems(channel_facts(channel))
    grace = config.reaccept_grace_days
    lines.append(
        "**Re-acceptance grace period**: "
        + (f"{grace} days" if grace else "off (the member role is never taken back)")
    )
    return lines, problems


def settings_embed(guild: discord.Guild, config: GuildConfig, heading: str) -> discord.Embed:
    """Render settings and problems as one card."""
    lines, problems = describe_settings(guild, config)
    embed = discord.Embed(title=heading, description="\n".join(lines), colour=WARM)
    if problems:
        embed.add_field(
            name="Needs fixing", value="\n".join(f"⚠️ {p}" for p in problems)[:1024], inline=False
        )
    else:
        embed.add_field(name="Checks", value="✅ Hearth can do everything it needs here.")
    return embed


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
        guild = guild_of(interaction)
        config = await self.settings.get(guild.id)
        if config is None:
            await reply_private(
                interaction,
                "Hearth isn't set up here yet. Start with `/setup roles` to choose the member role, "
                "then `/setup channels`.",
            )
            return
        await reply_private(interaction, embed=settings_embed(guild, config, "Hearth settings"))

    async def _save_choices(
        self,
        interaction: discord.Interaction,
        picked: Mapping[str, discord.Role | discord.TextChannel | None],
        noun: str,
    ) -> None:
        """Save the picked roles or channels, audit the change, and show what Hearth sees."""
        guild = guild_of(interaction)
        chosen = {name: value for name, value in picked.items() if value is not None}
        if not chosen:
            raise InvalidInput(f"Pick at least one {noun} to set.")
        prefix = "#" if noun == "channel" else "@"
        summary = "set " + ", ".join(
            f"{name.removesuffix('_id').replace('_', ' ')} to {prefix}{value.name}"
            for name, value in chosen.items()
        )
        config = await self.settings.update(
            guild.id, interaction.user.id, summary, **{k: v.id for k, v in chosen.items()}
        )
        heading = "Roles saved" if noun == "role" else "Channels saved"
        await reply_private(interaction, embed=settings_embed(guild, config, heading))

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
                raise InvalidInput("@everyone can't be used here: please pick a specific role.")
            if role is not None and role.managed:
                raise InvalidInput(
                    f"“{role.name}” belongs to an integration: please pick another role."
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
        guild = guild_of(interaction)
        summary = (
            f"set the re-acceptance grace period to {days} days"
            if days
            else "turned the re-acceptance grace period off"
        )
        await self.settings.update(guild.id, interaction.user.id, summary, reaccept_grace_days=days)
        await reply_private(
            interaction,
            f"Saved. After a material change members keep their role for {days} days while they re-read the agreement."
            if days
            else "Saved. Members will be asked to re-read the agreement, but their role won't be taken back.",
        )

    @app_commands.command(
        name="welcome", description="Post the welcome message with the agreement button"
    )
    async def welcome(self, interaction: discord.Interaction) -> None:
        """Post (or re-post) the welcome message in the welcome channel."""
        guild = guild_of(interaction)
        config = await self.settings.require(guild.id, "welcome_channel_id")
        channel = guild.get_channel(config.welcome_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            raise InvalidInput(
                "The welcome channel no longer exists: choose one with `/setup channels`."
            )
        problems = channel_problems(channel_facts(channel))
        if problems:
            raise InvalidInput(" ".join(problems))
        embed = discord.Embed(
            title=f"Welcome to {guild.name}",
            description=(
                "This is a peer-support community: we listen, share, and look out for each other "
                "as equals. Before joining in, please read our group agreement. It keeps this "
                "space safe for everyone.\n\nIf you are in danger right now, use `/crisis` "
                "for numbers you can call."
            ),
            colour=WARM,
        )
        message = await send(
            channel, embed=embed, view=read_agreement_view(), allowed_mentions=NO_MENTIONS
        )
        await self.settings.update(
            guild.id,
            interaction.user.id,
            f"posted the welcome message in #{channel.name}",
            welcome_message_id=message.id,
        )
        await reply_private(interaction, f"Posted the welcome message in {channel.mention}.")


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
