"""Pairing's words and embeds: introductions, invitations, notices, settings and counts."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.domain.checkins import neutralise
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

FREQUENCY_WORDS = {"every_round": "every round", "every_other_round": "every other round"}

FOLLOWUP_REPLIES = {
    "yes": "Lovely to hear. Thank you for letting us know. 💛",
    "not_yet": "Thanks — there's no rush. Your thread is still there when you're ready.",
    "no": "Thanks for telling us. That's okay; you'll be matched again next round.",
}

NO_TOPICS_YET = (
    "The moderators haven't listed any topics yet, so you'll be matched on time zones for now. "
    "`/pair topics` will let you choose once they have."
)
PICK_TOPICS = (
    "Which topics would you like to talk about? Pick any (or none); people who share a topic "
    "are matched more often."
)
LEFT = (
    "Done: your pairing profile is gone and you won't be matched again. Blocks and past "
    "matches are kept only as codes that can't be traced back to you, so they still hold if "
    "you ever rejoin. Thank you for taking part. 💛"
)
NO_LONGER_WAITING = "This match is no longer waiting for an answer. 💛"
SKIPPED_THIS_ONE = (
    "No problem at all — you're skipping this one, and nobody is told why. `/pair pause` is "
    "there if you'd like a longer break. 💛"
)
REPORTED = (
    "Thank you for telling us. The moderators have your note, and the other person has not "
    "been told. `/pair block` makes sure you're never matched again. 💛"
)


def mentions(user_ids: tuple[int, ...]) -> str:
    """Return "<@a> and <@b>" (or "<@a>, <@b> and <@c>")."""
    names = [f"<@{u}>" for u in user_ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def intro_text(group: Group) -> str:
    """Render a group's warm introduction (the thread's first message)."""
    people = mentions(group.user_ids)
    size = "three" if len(group.user_ids) == 3 else "two"
    lines = [
        f"Hello {people} 👋",
        "",
        f"You've been matched for a one-to-one chat this round. This thread is private: only "
        f"you {size} can see it (and server staff who look after threads). There's no pressure "
        "and no script — say hello when you're ready.",
    ]
    own = [
        f"<@{m.user_id}>: “{neutralise(m.line)}”"
        for m in group.members
        if m.user_id is not None and m.line
    ]
    if own:
        lines += ["", "**In your own words**", *own]
    if group.shared_topics:
        both = "all" if len(group.user_ids) == 3 else "both"
        lines += ["", f"**You {both} chose:** " + ", ".join(group.shared_topics)]
    lines += ["", "**If you'd like a way in**", *(f"• {s}" for s in group.starters)]
    if group.meeting_times:
        lines += [
            "",
            "**Times that fall in everyone's day** (shown in your own time zone)",
            *(f"• {ts(moment)}" for moment in group.meeting_times),
        ]
    lines += [
        "",
        "If something doesn't feel right, `/pair block` here means you'll never be matched "
        "again (nobody is told), and `/pair report` or the button below reaches the moderators "
        "privately. `/crisis` has helplines any time.",
    ]
    return "\n".join(lines)


def invitation_text(invitation: Invitation, group: Group | None, guild_name: str | None) -> str:
    """Ask one member privately: no names, only the others' lines and the shared topics."""
    where = f" in **{guild_name}**" if guild_name else ""
    others = "two people" if invitation.trio else "someone"
    about = []
    if group is not None:
        lines = [
            f"“{neutralise(m.line)}”"
            for m in group.members
            if m.row_id != invitation.row_id and m.user_id is not None and m.line
        ]
        if lines:
            about.append("In their own words: " + " · ".join(lines))
        if group.shared_topics:
            about.append("You both chose: " + ", ".join(group.shared_topics))
    details = "\n\n" + "\n".join(about) if about else ""
    return (
        f"You've been matched with {others}{where} for a one-to-one chat this round — "
        f"meet them?{details}\n\nIf everyone says yes, I'll open a private thread for you. "
        "If now isn't a good time, skipping is completely fine: nobody is told why."
    )


def notice_text(kind: str) -> str:
    """Tell a member kindly that their match fell through, or that nobody fit this round."""
    if kind == FELL_THROUGH:
        return (
            "Your match this round can't go ahead this time — that happens, and it's nobody's "
            "fault. You'll be first in line next round. 💛"
        )
    return (
        "This round I couldn't find you a match that fit (numbers didn't work out). "
        "You'll be first in line next round. Thank you for your patience. 💛"
    )


def followup_text(thread_id: int | None) -> str:
    """Ask "Did you connect?" privately."""
    where = f" in <#{thread_id}>" if thread_id else ""
    return (
        f"A few days ago you were introduced to a peer{where}. Did you connect? "
        "Your answer only adds to a count the moderators see — never your name."
    )


def joined_text(frequency: str, next_round: datetime | None) -> str:
    """Confirm a join, with when the next round runs."""
    when = f" The next round is {ts(next_round)} ({ts(next_round, 'R')})." if next_round else ""
    return (
        f"You're in. 💛 I'll match you {FREQUENCY_WORDS[frequency]} and introduce you in a "
        f"private thread.{when} `/pair pause` or `/pair leave` any time."
    )


def paused_text(until: datetime | None) -> str:
    """Confirm a pause."""
    if until is not None:
        return (
            f"Paused. You won't be matched before {ts(until, 'D')}; after that you're back in "
            "automatically. Take care of yourself. 💛"
        )
    return "Paused until you say otherwise: `/pair resume` brings you back. Take care. 💛"


def status_lines(status: MemberStatus, now: datetime) -> tuple[str, list[str] | None]:
    """Return the next-round line and, for a member who joined, the lines of their card."""
    nxt = status.next_round
    next_line = (
        f"**Next round:** {ts(nxt)} ({ts(nxt, 'R')})"
        if nxt
        else "**Next round:** when a moderator starts one"
    )
    profile = status.profile
    if profile is None:
        return next_line, None
    if profile.paused_indefinitely:
        paused = "paused until you resume"
    elif profile.paused_until is not None and profile.paused_until > now:
        paused = f"paused until {ts(profile.paused_until, 'D')}"
    else:
        paused = "taking part"
    lines = [
        f"**You're** {paused}.",
        f"**Time zone:** {profile.zone}",
        f"**How often:** {FREQUENCY_WORDS[profile.frequency.value]}",
        f"**Topics:** {', '.join(profile.topics) if profile.topics else 'none chosen'}",
        f"**Your line:** {neutralise(profile.line) if profile.line else '—'}",
        next_line,
        f"**Rounds you've been introduced in:** {status.rounds_taken_part}",
    ]
    if profile.priority:
        lines.append("You'll be first in line next round.")
    return next_line, lines


def config_embed(config: PairingConfig, now: datetime, title: str) -> discord.Embed:
    """Render the server's pairing settings for moderators."""
    nxt = config.next_round(now)
    lines = [
        f"**Channel:** {f'<#{config.channel_id}>' if config.channel_id else 'not chosen yet'}",
        f"**Rounds:** {config.cadence()}",
        f"**Next round:** {ts(nxt) if nxt else '—'}",
        f"**Rounds before a repeat:** {config.rounds_before_repeat}",
        f"**Trios for odd numbers:** {'yes' if config.allow_trios else 'no'}",
        f"**Ask before introducing (double opt-in):** {'yes' if config.double_opt_in else 'no'}",
        f"**Follow-up after:** {config.followup_days} days",
        f"**Topics:** {', '.join(config.topics) if config.topics else 'none yet'}",
    ]
    return discord.Embed(title=title, description="\n".join(lines), colour=WARM)


def preview_text(preview: Preview) -> str:
    """Say how a round would go now: counts only."""
    return (
        f"If a round ran now: {preview.opted_in} opted in, {preview.eligible} taking part "
        f"({preview.paused} paused, {preview.resting} resting this round). That makes "
        f"{preview.pairs} pairs and {preview.trios} trios; {preview.left_out} would be "
        "left out, told privately, and go first next round."
    )


def stats_embed(stats: Stats) -> discord.Embed:
    """Render the aggregate, never names."""
    answered = sum(stats.answers.values())
    lines = [
        f"**Members opted in:** {stats.members} ({stats.paused} paused)",
        f"**Rounds:** {stats.rounds}",
        f"**Groups introduced:** {stats.groups_introduced}",
        f"**Matches that fell through:** {stats.groups_fell_through}",
        f"**Left out (told, first next time):** {stats.left_out}",
        f'**"Did you connect?":** asked {stats.asked}, answered {answered} — '
        f"yes {stats.answers['yes']}, not yet {stats.answers['not_yet']}, "
        f"no {stats.answers['no']}",
    ]
    return discord.Embed(title="Pairing so far", description="\n".join(lines), colour=WARM)


def report_embed(
    reporter_id: int, about: tuple[int, ...], thread_id: int | None, text: str
) -> discord.Embed:
    """Render a member's private note for the moderators."""
    embed = discord.Embed(title="Pairing concern", description=text, colour=WARM)
    embed.add_field(name="From", value=f"<@{reporter_id}>")
    embed.add_field(name="About", value=mentions(about) if about else "—")
    if thread_id:
        embed.add_field(name="Thread", value=f"<#{thread_id}>")
    embed.set_footer(text="The member chose to tell you. The other person has not been told.")
    return embed


def not_reached(reason: str, text: str) -> str:
    """Say the moderators could not be reached, giving the member back what they wrote."""
    return (
        f"{reason} Please message a moderator directly. Here's what you wrote, so it isn't "
        "lost:\n>>> " + text[:1500]
    )
