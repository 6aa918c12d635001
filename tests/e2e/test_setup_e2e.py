"""`/setup`, end to end: settings per server, honest capability checks, audited changes."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import Hearth
from bot.db.models import AuditEntry
from emulator import Emulator
from tests.e2e.conftest import Community

EPHEMERAL = 64


async def test_unconfigured_server_gets_a_clear_pointer(
    emu: Emulator, hearth: Hearth, community: Community
) -> None:
    """A server that never ran /setup is told where to start, privately."""
    c = community
    h = await emu.slash(c.moderator.id, "setup show", guild_id=c.guild.id)
    body = await h.response()
    assert body["data"]["flags"] & EPHEMERAL
    assert "/setup roles" in body["data"]["content"]
    welcome = await emu.slash(c.moderator.id, "setup welcome", guild_id=c.guild.id)
    assert "isn't set up in this server yet" in (await welcome.response())["data"]["content"]


async def test_roles_and_channels_are_saved_and_shown(emu: Emulator, configured: Community) -> None:
    """/setup show lists every role and channel and says all is well."""
    c = configured
    h = await emu.slash(c.moderator.id, "setup show", guild_id=c.guild.id)
    embed = (await h.response())["data"]["embeds"][0]
    assert f"<@&{c.member_role.id}>" in embed["description"]
    assert f"<#{c.checkins.id}>" in embed["description"]
    assert embed["fields"][0]["value"].startswith("✅")


async def test_member_role_above_the_bot_is_explained(
    emu: Emulator, hearth: Hearth, community: Community
) -> None:
    """A member role placed above Hearth's role gets a plain instruction to fix the order."""
    c = community
    high = emu.create_role(c.guild.id, "Trusted", position=c.guild.bot_role.position + 1)
    h = await emu.slash(c.moderator.id, "setup roles", guild_id=c.guild.id, member=high.id)
    embed = (await h.response())["data"]["embeds"][0]
    problems = embed["fields"][0]["value"]
    assert "drag Hearth's role above “Trusted”" in problems


async def test_channel_the_bot_cannot_post_in_is_explained(
    emu: Emulator, hearth: Hearth, community: Community
) -> None:
    """A channel where Hearth lacks Send Messages is flagged with what to allow."""
    c = community
    hidden = emu.create_channel(
        c.guild.id,
        "quiet-room",
        overwrites=[{"id": c.guild.bot_role.id, "type": 0, "allow": "0", "deny": str(1 << 11)}],
    )
    h = await emu.slash(c.moderator.id, "setup channels", guild_id=c.guild.id, checkin=hidden.id)
    problems = (await h.response())["data"]["embeds"][0]["fields"][0]["value"]
    assert "cannot post in #quiet-room" in problems


async def test_everyone_cannot_be_the_member_role(
    emu: Emulator, hearth: Hearth, community: Community
) -> None:
    """Picking @everyone as the member role is refused kindly."""
    c = community
    h = await emu.slash(c.moderator.id, "setup roles", guild_id=c.guild.id, member=c.guild.id)
    body = await h.response()
    assert body["data"]["flags"] & EPHEMERAL
    assert "@everyone can't be used here" in body["data"]["content"]


async def test_settings_are_per_server(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """A second server starts unconfigured while the first keeps its settings."""
    other = emu.create_guild("Lighthouse")
    await emu.wait_until_guild_available(other.id) if hasattr(
        emu, "wait_until_guild_available"
    ) else None
    assert await hearth.services.settings.get(other.id) is None
    assert (await hearth.services.settings.get(configured.guild.id)) is not None


async def test_moderator_actions_go_to_the_audit_table_and_the_log_channel(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Setting changes are written to the audit table and posted, without pings, in the mod log."""
    c = configured
    h = await emu.slash(c.moderator.id, "setup grace", guild_id=c.guild.id, days=3)
    await h.response()
    message = await emu.wait_for_message(
        c.modlog.id, lambda m: "grace period to 3 days" in m["content"]
    )
    assert message["allowed_mentions"]["parse"] == []
    async with hearth.services.agreement._sessions() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.guild_id == c.guild.id)
            )
        )
    assert actions.count("settings.update") >= 3 and "agreement.save" in actions


async def test_setup_is_for_manage_server_by_default_and_server_only(
    emu: Emulator, hearth: Hearth
) -> None:
    """/setup is registered with Manage Server as its default permission and not in DMs."""
    commands = {c["name"]: c for c in emu.world.commands[None]}
    assert commands["setup"]["default_member_permissions"] == str(1 << 5)
    assert (
        commands["setup"].get("contexts") in (None, [0])
        or commands["setup"].get("dm_permission") is False
    )
    assert commands["agreement"]["default_member_permissions"] is None


async def test_setup_without_any_choice_is_answered_kindly(
    emu: Emulator, configured: Community
) -> None:
    """Running /setup roles or channels with nothing picked gets a private hint."""
    c = configured
    for path in ("setup roles", "setup channels"):
        h = await emu.slash(c.moderator.id, path, guild_id=c.guild.id)
        body = await h.response()
        assert body["data"]["flags"] & EPHEMERAL
        assert "Pick at least one" in body["data"]["content"]


async def test_channel_options_offer_text_channels_only(emu: Emulator, hearth: Hearth) -> None:
    """Discord only offers text channels for /setup channels, so a voice room cannot be picked."""
    setup = next(c for c in emu.world.commands[None] if c["name"] == "setup")
    channels = next(o for o in setup["options"] if o["name"] == "channels")
    assert {tuple(o["channel_types"]) for o in channels["options"]} == {
        (0, 5)
    }  # text, announcement
