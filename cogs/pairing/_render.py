"""Pairing's words and embeds: introductions, invitations, notices, settings and counts.

Every function takes the reader's words (`bot.i18n.Language`): the member's language for what
only they see, the server's (`server_language`) for pair threads and the moderators' cards,
and the language the member joined in for invitations and follow-ups.
"""

from __future__ import annotations

from datetime import datetime

import discord
from babel.dates import get_day_names

from bot.domain.checkins import neutralise
from bot.i18n import N_, Language
from bot.services.pairing import (
    FELL_THROUGH,
    Group,
    Invitation,
    MemberStatus,
    PairingConfig,
    Preview,
    Stats,
)
from bot.ui import WARM, ts

FREQUENCY_WORDS = {"every_round": N_("every round"), "every_other_round": N_("every other round")}

FOLLOWUP_REPLIES = {
    "yes": N_("Lovely to hear. Thank you for letting us know. 💛"),
    "not_yet": N_("Thanks — there's no rush. Your thread is still there when you're ready."),
    "no": N_("Thanks for telling us. That's okay; you'll be matched again next round."),
}

NO_TOPICS_YET = N_(
    "The moderators haven't listed any topics yet, so you'll be matched on time zones for now. "
    "`/pair topics` will let you choose once they have."
)
PICK_TOPICS = N_(
    "Which topics would you like to talk about? Pick any (or none); people who share a topic "
    "are matched more often."
)
LEFT = N_(
    "Done: your pairing profile is gone and you won't be matched again. Blocks and past "
    "matches are kept only as codes that can't be traced back to you, so they still hold if "
    "you ever rejoin. Thank you for taking part. 💛"
)
NO_LONGER_WAITING = N_("This match is no longer waiting for an answer. 💛")
SKIPPED_THIS_ONE = N_(
    "No problem at all — you're skipping this one, and nobody is told why. `/pair pause` is "
    "there if you'd like a longer break. 💛"
)
REPORTED = N_(
    "Thank you for telling us. The moderators have your note, and the other person has not "
    "been told. `/pair block` makes sure you're never matched again. 💛"
)


def mentions(user_ids: tuple[int, ...], _: Language) -> str:
    """Return "<@a> and <@b>" (or "<@a>, <@b> and <@c>"), joined as the language joins them."""
    return _.listing([f"<@{u}>" for u in user_ids])


def yes_no(value: bool, _: Language) -> str:
    """Return "yes" or "no"."""
    return _("yes") if value else _("no")


def thread_title(group: Group, _: Language) -> str:
    """Return the name of a group's private thread (found again by it after a crash)."""
    return _(
        "Peer pair · round %(round)s · #%(position)s",
        round=group.round_number,
        position=group.position,
    )


def intro_text(group: Group, _: Language) -> str:
    """Render a group's warm introduction (the thread's first message)."""
    trio = len(group.user_ids) == 3
    lines = [
        _("Hello %(people)s 👋", people=mentions(group.user_ids, _)),
        "",
        _(
            "You've been matched for a one-to-one chat this round. This thread is private: only "
            "you three can see it (and server staff who look after threads). There's no "
            "pressure and no script — say hello when you're ready."
        )
        if trio
        else _(
            "You've been matched for a one-to-one chat this round. This thread is private: only "
            "you two can see it (and server staff who look after threads). There's no pressure "
            "and no script — say hello when you're ready."
        ),
    ]
    own = [
        f"<@{m.user_id}>: “{neutralise(m.line)}”"
        for m in group.members
        if m.user_id is not None and m.line
    ]
    if own:
        lines += ["", _("**In your own words**"), *own]
    if group.shared_topics:
        topics = ", ".join(group.shared_topics)
        lines += [
            "",
            _("**You all chose:** %(topics)s", topics=topics)
            if trio
            else _("**You both chose:** %(topics)s", topics=topics),
        ]
    lines += ["", _("**If you'd like a way in**"), *(f"• {s}" for s in group.starters)]
    if group.meeting_times:
        lines += [
            "",
            _("**Times that fall in everyone's day** (shown in your own time zone)"),
            *(f"• {ts(moment)}" for moment in group.meeting_times),
        ]
    lines += [
        "",
        _(
            "If something doesn't feel right, `/pair block` here means you'll never be matched "
            "again (nobody is told), and `/pair report` or the button below reaches the "
            "moderators privately. `/crisis` has helplines any time."
        ),
    ]
    return "\n".join(lines)


def invitation_text(
    invitation: Invitation, group: Group | None, guild_name: str | None, _: Language
) -> str:
    """Ask one member privately: no names, only the others' lines and the shared topics."""
    about = []
    if group is not None:
        lines = [
            f"“{neutralise(m.line)}”"
            for m in group.members
            if m.row_id != invitation.row_id and m.user_id is not None and m.line
        ]
        if lines:
            about.append(_("In their own words: %(lines)s", lines=" · ".join(lines)))
        if group.shared_topics:
            about.append(_("You both chose: %(topics)s", topics=", ".join(group.shared_topics)))
    details = "\n\n" + "\n".join(about) if about else ""
    if invitation.trio:
        asked = (
            _(
                "You've been matched with two people in **%(server)s** for a chat this round — meet them?",
                server=guild_name,
            )
            if guild_name
            else _("You've been matched with two people for a chat this round — meet them?")
        )
    else:
        asked = (
            _(
                "You've been matched with someone in **%(server)s** for a one-to-one chat this round — meet them?",
                server=guild_name,
            )
            if guild_name
            else _("You've been matched with someone for a one-to-one chat this round — meet them?")
        )
    return (
        asked
        + details
        + "\n\n"
        + _(
            "If everyone says yes, I'll open a private thread for you. If now isn't a good "
            "time, skipping is completely fine: nobody is told why."
        )
    )


def notice_text(kind: str, _: Language) -> str:
    """Tell a member kindly that their match fell through, or that nobody fit this round."""
    if kind == FELL_THROUGH:
        return _(
            "Your match this round can't go ahead this time — that happens, and it's nobody's "
            "fault. You'll be first in line next round. 💛"
        )
    return _(
        "This round I couldn't find you a match that fit (numbers didn't work out). "
        "You'll be first in line next round. Thank you for your patience. 💛"
    )


def followup_text(thread_id: int | None, _: Language) -> str:
    """Ask "Did you connect?" privately."""
    if thread_id:
        asked = _(
            "A few days ago you were introduced to a peer in %(thread)s. Did you connect?",
            thread=f"<#{thread_id}>",
        )
    else:
        asked = _("A few days ago you were introduced to a peer. Did you connect?")
    return asked + " " + _("Your answer only adds to a count the moderators see — never your name.")


def joined_text(frequency: str, next_round: datetime | None, _: Language) -> str:
    """Confirm a join, with when the next round runs."""
    text = _(
        "You're in. 💛 I'll match you %(how_often)s and introduce you in a private thread.",
        how_often=_(FREQUENCY_WORDS[frequency]),
    )
    if next_round:
        text += " " + _(
            "The next round is %(when)s (%(relative)s).",
            when=ts(next_round),
            relative=ts(next_round, "R"),
        )
    return text + " " + _("`/pair pause` or `/pair leave` any time.")


def paused_text(until: datetime | None, _: Language) -> str:
    """Confirm a pause."""
    if until is not None:
        return _(
            "Paused. You won't be matched before %(day)s; after that you're back in "
            "automatically. Take care of yourself. 💛",
            day=ts(until, "D"),
        )
    return _("Paused until you say otherwise: `/pair resume` brings you back. Take care. 💛")


def status_lines(status: MemberStatus, now: datetime, _: Language) -> tuple[str, list[str] | None]:
    """Return the next-round line and, for a member who joined, the lines of their card."""
    nxt = status.next_round
    next_line = (
        _("**Next round:** %(when)s (%(relative)s)", when=ts(nxt), relative=ts(nxt, "R"))
        if nxt
        else _("**Next round:** when a moderator starts one")
    )
    profile = status.profile
    if profile is None:
        return next_line, None
    if profile.paused_indefinitely:
        paused = _("**You're** paused until you resume.")
    elif profile.paused_until is not None and profile.paused_until > now:
        paused = _("**You're** paused until %(day)s.", day=ts(profile.paused_until, "D"))
    else:
        paused = _("**You're** taking part.")
    topics = ", ".join(profile.topics) if profile.topics else _("none chosen")
    lines = [
        paused,
        _("**Time zone:** %(zone)s", zone=profile.zone),
        _("**How often:** %(how_often)s", how_often=_(FREQUENCY_WORDS[profile.frequency.value])),
        _("**Topics:** %(topics)s", topics=topics),
        _("**Your line:** %(line)s", line=neutralise(profile.line) if profile.line else "—"),
        next_line,
        _(
            "**Rounds you've been introduced in:** %(count)s",
            count=_.number(status.rounds_taken_part),
        ),
    ]
    if profile.priority:
        lines.append(_("You'll be first in line next round."))
    return next_line, lines


def cadence(config: PairingConfig, _: Language) -> str:
    """Say when rounds run, in plain words."""
    if not config.scheduled:
        return _("no weekly time set (rounds run only when a moderator starts one)")
    day = get_day_names("wide", locale=_.babel)[config.weekday or 0]
    return _(
        "every %(day)s at %(time)s (%(zone)s)", day=day, time=config.local_time, zone=config.zone
    )


def config_embed(config: PairingConfig, now: datetime, title: str, _: Language) -> discord.Embed:
    """Render the server's pairing settings for moderators (title: a catalog message)."""
    nxt = config.next_round(now)
    channel = f"<#{config.channel_id}>" if config.channel_id else _("not chosen yet")
    topics = ", ".join(config.topics) if config.topics else _("none yet")
    lines = [
        _("**Channel:** %(channel)s", channel=channel),
        _("**Rounds:** %(cadence)s", cadence=cadence(config, _)),
        _("**Next round:** %(when)s", when=ts(nxt) if nxt else "—"),
        _("**Rounds before a repeat:** %(count)s", count=_.number(config.rounds_before_repeat)),
        _("**Trios for odd numbers:** %(answer)s", answer=yes_no(config.allow_trios, _)),
        _(
            "**Ask before introducing (double opt-in):** %(answer)s",
            answer=yes_no(config.double_opt_in, _),
        ),
        _.plural(
            "**Follow-up after:** %(count)s day",
            "**Follow-up after:** %(count)s days",
            config.followup_days,
        ),
        _("**Topics:** %(topics)s", topics=topics),
    ]
    return discord.Embed(title=_(title), description="\n".join(lines), colour=WARM)


def preview_text(preview: Preview, _: Language) -> str:
    """Say how a round would go now: counts only."""
    n = _.number
    return _(
        "If a round ran now: %(opted_in)s opted in, %(eligible)s taking part (%(paused)s "
        "paused, %(resting)s resting this round). That makes %(pairs)s pairs and %(trios)s "
        "trios; %(left_out)s would be left out, told privately, and go first next round.",
        opted_in=n(preview.opted_in),
        eligible=n(preview.eligible),
        paused=n(preview.paused),
        resting=n(preview.resting),
        pairs=n(preview.pairs),
        trios=n(preview.trios),
        left_out=n(preview.left_out),
    )


def stats_embed(stats: Stats, _: Language) -> discord.Embed:
    """Render the aggregate, never names."""
    n = _.number
    answered = sum(stats.answers.values())
    lines = [
        _(
            "**Members opted in:** %(members)s (%(paused)s paused)",
            members=n(stats.members),
            paused=n(stats.paused),
        ),
        _("**Rounds:** %(count)s", count=n(stats.rounds)),
        _("**Groups introduced:** %(count)s", count=n(stats.groups_introduced)),
        _("**Matches that fell through:** %(count)s", count=n(stats.groups_fell_through)),
        _("**Left out (told, first next time):** %(count)s", count=n(stats.left_out)),
        _(
            '**"Did you connect?":** asked %(asked)s, answered %(answered)s — yes %(yes)s, '
            "not yet %(not_yet)s, no %(no)s",
            asked=n(stats.asked),
            answered=n(answered),
            yes=n(stats.answers["yes"]),
            not_yet=n(stats.answers["not_yet"]),
            no=n(stats.answers["no"]),
        ),
    ]
    return discord.Embed(title=_("Pairing so far"), description="\n".join(lines), colour=WARM)


def report_embed(
    reporter_id: int, about: tuple[int, ...], thread_id: int | None, text: str, _: Language
) -> discord.Embed:
    """Render a member's private note for the moderators."""
    embed = discord.Embed(title=_("Pairing concern"), description=text, colour=WARM)
    embed.add_field(name=_("From"), value=f"<@{reporter_id}>")
    embed.add_field(name=_("About"), value=mentions(about, _) if about else "—")
    if thread_id:
        embed.add_field(name=_("Thread"), value=f"<#{thread_id}>")
    embed.set_footer(text=_("The member chose to tell you. The other person has not been told."))
    return embed


NO_ALERTS_CHANNEL = N_("I couldn't reach the moderators: no moderator-alerts channel is set up.")
ALERTS_REFUSED = N_("I couldn't post in the moderator-alerts channel.")


def not_reached(reason: str, text: str, _: Language) -> str:
    """Say the moderators could not be reached, giving the member back what they wrote."""
    return (
        _(reason)
        + " "
        + _("Please message a moderator directly. Here's what you wrote, so it isn't lost:")
        + "\n>>> "
        + text[:1500]
    )
