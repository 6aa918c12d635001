"""What the bot can do with a role or channel, from plain facts."""

from __future__ import annotations

from bot.domain.setup_checks import ChannelFacts, RoleFacts, channel_problems, role_problems


def test_role_below_the_bot_with_manage_roles_is_fine() -> None:
    """A normal role under Hearth's role can be granted."""
    assert (
        role_problems(
            RoleFacts("Member", 1, False, False), bot_top_position=5, bot_can_manage_roles=True
        )
        == []
    )


def test_role_above_the_bot_and_missing_permission_are_both_explained() -> None:
    """Role order and Manage Roles problems are both named."""
    problems = role_problems(
        RoleFacts("Member", 6, False, False), bot_top_position=5, bot_can_manage_roles=False
    )
    assert (
        len(problems) == 2
        and "Manage Roles" in problems[0].message
        and "drag" in problems[1].message
    )


def test_everyone_and_managed_roles_are_refused() -> None:
    """@everyone and integration roles cannot be the member role."""
    assert (
        "@everyone"
        in role_problems(
            RoleFacts("@everyone", 0, False, True), bot_top_position=5, bot_can_manage_roles=True
        )[0].message
    )
    assert (
        "integration"
        in role_problems(
            RoleFacts("Bot", 1, True, False), bot_top_position=5, bot_can_manage_roles=True
        )[0].message
    )


def test_channel_problems_name_the_missing_permission() -> None:
    """Each missing channel permission is named, most basic first."""
    assert (
        "cannot see" in channel_problems(ChannelFacts("a", "text", False, False, False))[0].message
    )
    assert (
        "cannot post" in channel_problems(ChannelFacts("a", "text", True, False, False))[0].message
    )
    assert (
        "Embed Links" in channel_problems(ChannelFacts("a", "text", True, True, False))[0].message
    )
    assert channel_problems(ChannelFacts("a", "text", True, True, True)) == []
    assert (
        "not a text channel"
        in channel_problems(ChannelFacts("v", "voice", True, True, True))[0].message
    )
