"""What the bot can actually do in a server, judged from plain facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.domain.words import N_


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


@dataclass(frozen=True)
class Problem:
    """One thing that blocks Hearth: a catalog sentence and the values that fill it in."""

    text: str
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """Return the sentence in English (the catalogs' source language)."""
        return self.text % dict(self.values) if self.values else self.text


def role_problems(
    role: RoleFacts, *, bot_top_position: int, bot_can_manage_roles: bool
) -> list[Problem]:
    """Return plain sentences describing why the bot could not grant this role (empty if fine)."""
    if role.is_default:
        return [
            Problem(
                N_("@everyone cannot be the member role: pick or create a role such as “Member”.")
            )
        ]
    named = {"role": role.name}
    if role.managed:
        return [
            Problem(
                N_("“%(role)s” belongs to an integration, so nobody can grant it: pick another."),
                named,
            )
        ]
    problems = []
    if not bot_can_manage_roles:
        problems.append(Problem(N_("Hearth needs the Manage Roles permission to grant it.")))
    if role.position >= bot_top_position:
        problems.append(
            Problem(
                N_(
                    "In Server Settings → Roles, drag Hearth's role above “%(role)s” "
                    "so Hearth can grant it."
                ),
                named,
            )
        )
    return problems


def channel_problems(channel: ChannelFacts, *, needs: str = "text") -> list[Problem]:
    """Return plain sentences describing what blocks the bot in this channel (empty if fine)."""
    named = {"channel": channel.name}
    if needs == "text" and channel.kind != "text":
        return [Problem(N_("#%(channel)s is not a text channel."), named)]
    if not channel.can_view:
        text = N_("Hearth cannot see #%(channel)s: allow View Channel for Hearth there.")
    elif not channel.can_send:
        text = N_("Hearth cannot post in #%(channel)s: allow Send Messages there.")
    elif not channel.can_embed:
        text = N_("Hearth cannot show cards in #%(channel)s: allow Embed Links there.")
    else:
        return []
    return [Problem(text, named)]
