"""What the bot can actually do in a server, judged from plain facts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleFacts:
    """What matters about a role the bot should grant."""

    name: str
    position: int
    managed: bool
    is_default: bool


@dataclass(frozen=True)
class ChannelFacts:
    """What the bot may do in a channel (after permission overwrites)."""

    name: str
    kind: str
    can_view: bool
    can_send: bool
    can_embed: bool


def role_problems(
    role: RoleFacts, *, bot_top_position: int, bot_can_manage_roles: bool
) -> list[str]:
    """Return plain sentences describing why the bot could not grant this role (empty if fine)."""
    if role.is_default:
        return ["@everyone cannot be the member role: pick or create a role such as “Member”."]
    if role.managed:
        return [f"“{role.name}” belongs to an integration, so nobody can grant it: pick another."]
    problems = []
    if not bot_can_manage_roles:
        problems.append("Hearth needs the Manage Roles permission to grant it.")
    if role.position >= bot_top_position:
        problems.append(
            f"In Server Settings → Roles, drag Hearth's role above “{role.name}” "
            "so Hearth can grant it."
        )
    return problems


def channel_problems(channel: ChannelFacts, *, needs: str = "text") -> list[str]:
    """Return plain sentences describing what blocks the bot in this channel (empty if fine)."""
    if needs == "text" and channel.kind != "text":
        return [f"#{channel.name} is not a text channel."]
    problems = []
    if not channel.can_view:
        problems.append(f"Hearth cannot see #{channel.name}: allow View Channel for Hearth there.")
    elif not channel.can_send:
        problems.append(f"Hearth cannot post in #{channel.name}: allow Send Messages there.")
    elif not channel.can_embed:
        problems.append(f"Hearth cannot show cards in #{channel.name}: allow Embed Links there.")
    return problems
