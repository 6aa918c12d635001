"""The agreement cog's words: the agreement itself, the re-acceptance request, replies.

Each function takes the reader's `Language` (`_`): the member's for private answers, the
server's (`server_language`) for what everyone sees. The agreement's own title and points are
the moderators' words and are shown as they wrote them.
"""

from __future__ import annotations

import discord

from bot.i18n import N_, Language
from bot.services.agreement import (
    MATERIAL,
    MINOR,
    AgreementStatus,
    AgreementText,
    ReacceptanceAsk,
    RoleGrant,
)
from bot.ui import WARM

KIND_LABELS = {
    "initial": N_("first version"),
    MINOR: N_("minor wording fix"),
    MATERIAL: N_("material change"),
}
NO_AGREEMENT = N_("There is no agreement yet. Write one with `/agreement edit`.")
NOT_NOW = N_(
    "That's okay — take your time. Nothing has changed, and you can come "
    "back to it whenever you're ready with `/agreement read`."
)
TRY_AGAIN = N_(
    "Not quite — that's okay. Have another look at the agreement and try again whenever you like."
)
GRANT_NOTES = {
    RoleGrant.FAILED: N_(
        "Your acceptance is saved, but I couldn't give you the member role. "
        "A moderator can fix this with `/setup show`; press Accept again after that."
    ),
    RoleGrant.NO_ROLE: N_(
        "(This server hasn't chosen a member role yet, so nothing else changes for now.)"
    ),
}
ALREADY_ACCEPTED = N_("You've already accepted this version. Here it is again, for reference.")
PLEASE_READ = N_("Please read our group agreement. When you're ready, press **Accept**.")
USE_IN_SERVER = N_("Please use `/agreement read` inside the server.")


def agreement_embed(version: AgreementText, _: Language) -> discord.Embed:
    """Render one version of the agreement (its words as the moderators wrote them)."""
    embed = discord.Embed(title=version.title, description=version.rendered, colour=WARM)
    embed.set_footer(text=_("Version %(number)s", number=version.number))
    embed.timestamp = version.created_at
    return embed


def ask_embed(ask: ReacceptanceAsk, guild_name: str, _: Language) -> discord.Embed:
    """Render a re-acceptance request with what changed."""
    deadline = (
        "\n\n"
        + _(
            "Your member role stays until %(date)s; accepting before then keeps everything "
            "as it is.",
            date=f"<t:{int(ask.grace_until.timestamp())}:D>",
        )
        if ask.grace_until
        else ""
    )
    said = _("The moderators made a change that matters, so everyone is asked to read it again.")
    changed = _("What changed")
    return discord.Embed(
        title=_("The group agreement in %(guild)s has changed", guild=guild_name),
        description=f"{said}\n\n**{changed}**\n```diff\n{ask.diff[:3000]}\n```{deadline}",
        colour=WARM,
    )


def accepted(grant: RoleGrant, _: Language) -> str:
    """Thank the member, with a note when the member role could not be given."""
    thanks = _("Thank you for accepting the group agreement. Welcome in. 💛")
    note = GRANT_NOTES.get(grant)
    return f"{thanks}\n\n{_(note)}" if note else thanks


def saved_text(
    number: int,
    kind: str,
    to_ask: int | None,
    grace_until: int | None,
    _: Language,
) -> str:
    """Tell the moderator what saving a version does (`to_ask` None: nobody is asked again)."""
    lines = [_("Saved version %(number)s (%(kind)s).", number=number, kind=_(KIND_LABELS[kind]))]
    if to_ask is not None:
        lines.append(
            _.plural(
                "%(count)s member who accepted an earlier version will be asked privately to "
                "read it again.",
                "%(count)s members who accepted an earlier version will be asked privately to "
                "read it again.",
                to_ask,
            )
        )
        if grace_until:
            lines.append(_("Their member role stays until %(date)s.", date=f"<t:{grace_until}:D>"))
    return " ".join(lines)


def status_text(status: AgreementStatus, _: Language) -> str:
    """Render acceptance counts for moderators."""
    lines = [
        _(
            "**Current version**: %(current)s · members need version %(required)s or later",
            current=status.current,
            required=status.required,
        ),
        _(
            "**Up to date**: %(up_to_date)s · **Pending re-acceptance**: %(pending)s",
            up_to_date=_.number(status.up_to_date),
            pending=_.number(status.pending),
        ),
    ]
    if status.grace_until:
        lines.append(
            _(
                "**Grace period ends**: %(date)s",
                date=f"<t:{int(status.grace_until.timestamp())}:f>",
            )
        )
    if status.roles_removed:
        lines.append(
            _(
                "**Member role taken back (not yet re-accepted)**: %(count)s",
                count=_.number(status.roles_removed),
            )
        )
    lines.append("")
    lines += [
        _.plural(
            "Version %(number)s (%(kind)s): %(count)s accepted",
            "Version %(number)s (%(kind)s): %(count)s accepted",
            v.accepted,
            number=v.number,
            kind=_(KIND_LABELS[v.change_kind]),
        )
        for v in status.per_version
    ]
    return "\n".join(lines)


def history_text(versions: list[AgreementText], _: Language) -> str:
    """List versions with their kind, author and date."""
    return "\n".join(
        _(
            "**Version %(number)s** · %(kind)s · %(author)s · %(date)s",
            number=v.number,
            kind=_(KIND_LABELS[v.change_kind]),
            author=f"<@{v.author_id}>" if v.author_id else _("a former moderator"),
            date=f"<t:{int(v.created_at.timestamp())}:f>",
        )
        for v in versions[:25]
    )
