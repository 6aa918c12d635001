"""The agreement cog's words: the agreement itself, the re-acceptance request, replies."""

from __future__ import annotations

import discord

from bot.services.agreement import (
    MATERIAL,
    MINOR,
    AgreementStatus,
    AgreementText,
    ReacceptanceAsk,
    RoleGrant,
)
from bot.ui import WARM

KIND_LABELS = {"initial": "first version", MINOR: "minor wording fix", MATERIAL: "material change"}
NO_AGREEMENT = "There is no agreement yet. Write one with `/agreement edit`."
NOT_NOW = (
    "That's okay — take your time. Nothing has changed, and you can come "
    "back to it whenever you're ready with `/agreement read`."
)
TRY_AGAIN = (
    "Not quite — that's okay. Have another look at the agreement and try again whenever you like."
)
GRANT_NOTES = {
    RoleGrant.FAILED: (
        "\n\nYour acceptance is saved, but I couldn't give you the member role. "
        "A moderator can fix this with `/setup show`; press Accept again after that."
    ),
    RoleGrant.NO_ROLE: (
        "\n\n(This server hasn't chosen a member role yet, so nothing else changes for now.)"
    ),
}


def agreement_embed(version: AgreementText) -> discord.Embed:
    """Render one version of the agreement."""
    embed = discord.Embed(title=version.title, description=version.rendered, colour=WARM)
    embed.set_footer(text=f"Version {version.number}")
    embed.timestamp = version.created_at
    return embed


def ask_embed(ask: ReacceptanceAsk, guild_name: str) -> discord.Embed:
    """Render a re-acceptance request with what changed."""
    deadline = (
        f"\n\nYour member role stays until <t:{int(ask.grace_until.timestamp())}:D>; "
        "accepting before then keeps everything as it is."
        if ask.grace_until
        else ""
    )
    return discord.Embed(
        title=f"The group agreement in {guild_name} has changed",
        description=(
            "The moderators made a change that matters, so everyone is asked to read it again."
            f"\n\n**What changed**\n```diff\n{ask.diff[:3000]}\n```{deadline}"
        ),
        colour=WARM,
    )


def accepted(grant: RoleGrant) -> str:
    """Thank the member, with a note when the member role could not be given."""
    return (
        f"Thank you for accepting the group agreement. Welcome in. 💛{GRANT_NOTES.get(grant, '')}"
    )


def status_text(status: AgreementStatus) -> str:
    """Render acceptance counts for moderators."""
    lines = [
        f"**Current version**: {status.current} · members need version {status.required} or later",
        f"**Up to date**: {status.up_to_date} · **Pending re-acceptance**: {status.pending}",
    ]
    if status.grace_until:
        lines.append(f"**Grace period ends**: <t:{int(status.grace_until.timestamp())}:f>")
    if status.roles_removed:
        lines.append(f"**Member role taken back (not yet re-accepted)**: {status.roles_removed}")
    lines.append("")
    lines += [
        f"Version {v.number} ({KIND_LABELS[v.change_kind]}): {v.accepted} accepted"
        for v in status.per_version
    ]
    return "\n".join(lines)


def history_text(versions: list[AgreementText]) -> str:
    """List versions with their kind, author and date."""
    return "\n".join(
        f"**Version {v.number}** · {KIND_LABELS[v.change_kind]} · "
        f"{f'<@{v.author_id}>' if v.author_id else 'a former moderator'} · "
        f"<t:{int(v.created_at.timestamp())}:f>"
        for v in versions[:25]
    )
