"""What the circles cog says: announcements, the talking order, feedback and private answers.

Names are shown as display names or mentions, and everything goes out with mentions off, so
nothing here ever pings anyone.
"""

from __future__ import annotations

import discord

from bot.services.circles import (
    TOP_RATING,
    WAITLIST,
    YES,
    AnnounceResult,
    Cancellation,
    FeedbackResults,
    HandOutcome,
    Meeting,
    RsvpOutcome,
    TalkingOrder,
    WaitingNote,
)
from bot.ui import WARM, ts
from bot.ui.limits import CONTENT_LIMIT
from cogs.circles._views import STARS

CANCELLED_BECAUSE = {Cancellation.SKIPPED: "skipped", Cancellation.ENDED: "the circle has ended"}
NOTES_PART = 1900  # characters of unread notes per private message


def headcount(meeting: Meeting) -> str:
    """Return the public headcount: numbers only, never names."""
    text = f"{meeting.going} going"
    if meeting.capacity is not None:
        text += f" of {meeting.capacity} places"
    if meeting.waitlisted:
        text += f", {meeting.waitlisted} on the waitlist"
    return text


def announcement_embed(meeting: Meeting) -> discord.Embed:
    """Render the public announcement of one meeting."""
    lines = [meeting.description, ""] if meeting.description else []
    lines += [
        f"**When:** {ts(meeting.start_utc)} ({ts(meeting.start_utc, 'R')}) until "
        f"{ts(meeting.end_utc, 't')}",
        f"**Where:** <#{meeting.voice_channel_id}>",
        f"**RSVPs:** {headcount(meeting)}",
    ]
    embed = discord.Embed(title=meeting.title, description="\n".join(lines), colour=WARM)
    embed.set_footer(text="Your answer is private; only facilitators see who is coming.")
    return embed


def cancelled_embed(meeting: Meeting, why: Cancellation) -> discord.Embed:
    """Render an announcement whose meeting no longer happens."""
    return discord.Embed(
        title=f"{meeting.title} — {CANCELLED_BECAUSE[why]}",
        description=f"The meeting on {ts(meeting.start_utc)} will not take place.",
        colour=discord.Colour.light_grey(),
    )


def announce_notes(result: AnnounceResult) -> str:
    """Say what announcing could not do, for the facilitator (empty if it all went out)."""
    notes = []
    if result.no_channel:
        notes.append(
            "There is no circles channel yet, so nothing was announced; a moderator can "
            "choose one with `/setup channels`."
        )
    if result.event_failed:
        notes.append("I couldn't create the Discord event; Hearth needs Manage Events.")
    return "\n".join(notes)


def answer_text(outcome: RsvpOutcome) -> str:
    """Return the private answer to a member's RSVP."""
    meeting = outcome.meeting
    when = ts(meeting.start_utc)
    if outcome.status == YES:
        return f"You're in for **{meeting.title}** on {when}. See you there. 💛"
    if outcome.status == WAITLIST:
        return (
            f"**{meeting.title}** on {when} is full, so you're number {outcome.place} on the "
            "waitlist. I'll tell you privately if a place opens up."
        )
    return f"Thanks for letting us know. You're not down for **{meeting.title}** on {when}."


def reminder_text(meeting: Meeting) -> str:
    """Return a private reminder that a meeting is coming."""
    return (
        f"A gentle reminder: **{meeting.title}** starts {ts(meeting.start_utc, 'R')} "
        f"({ts(meeting.start_utc)}) in <#{meeting.voice_channel_id}>. If you can't make "
        "it, press **Can't make it** on the announcement so someone else can come."
    )


def promoted_text(meeting: Meeting) -> str:
    """Return the private news that a place opened up for a member on the waitlist."""
    return (
        f"Good news: a place opened up in **{meeting.title}** on "
        f"{ts(meeting.start_utc)}, and it's yours. See you in <#{meeting.voice_channel_id}>. "
        "If you can't make it after all, press **Can't make it** on the announcement."
    )


def attendance_text(meeting: Meeting, going: tuple[int, ...], waitlist: tuple[int, ...]) -> str:
    """Return who is coming, for a facilitator only."""
    names = ", ".join(f"<@{user_id}>" for user_id in going) or "nobody yet"
    lines = [f"**{meeting.title}**, {ts(meeting.start_utc)}", f"Going: {names}"]
    if waitlist:
        lines.append(
            "Waitlist: " + ", ".join(f"{n}. <@{user_id}>" for n, user_id in enumerate(waitlist, 1))
        )
    return "\n".join(lines)[:CONTENT_LIMIT]


# ----- holding a circle ------------------------------------------------------------------------
def opening_embed(meeting: Meeting, *, yes_only: bool, points: tuple[str, ...]) -> discord.Embed:
    """Render the circles channel's note that the room is open, with the agreement in short."""
    room = f"<#{meeting.voice_channel_id}>"
    lines = [
        f"The room is open to those who said yes: come in to {room} when you're ready."
        if yes_only
        else f"The room is open: come in to {room} when you're ready."
    ]
    if points:
        lines += ["", "**Our agreement, in short**", "\n".join(f"• {point}" for point in points)]
    lines += [
        "",
        "To speak, raise your hand with `/circle hand`; rather write? Use **Write instead** "
        "under the talking order.",
        "If you're struggling right now, `/crisis` shows helplines privately, any time.",
    ]
    return discord.Embed(
        title=f"{meeting.title} is open", description="\n".join(lines), colour=WARM
    )


def closing_embed(meeting: Meeting, *, minimum: int) -> discord.Embed:
    """Render the circles channel's note that a meeting has closed, inviting feedback."""
    return discord.Embed(
        title=f"{meeting.title} has closed",
        description=(
            "Thank you to everyone who came and shared, and to everyone who listened. "
            "Take gentle care of yourselves. `/crisis` is there if you need it.\n\n"
            "If you were there, you're welcome to tell the facilitators how it was: "
            "**anonymously**, for the next 24 hours. They only see totals, and only once "
            f"at least {minimum} people have answered."
        ),
        colour=WARM,
    )


def opened_text(meeting: Meeting, *, yes_only: bool) -> str:
    """Return the opening facilitator's private answer."""
    who = "those who said yes" if yes_only else "members"
    return (
        f"<#{meeting.voice_channel_id}> is open to {who}. `/circle next` passes to the next "
        "raised hand and `/circle note` shows you the next written note. If you need another "
        "pair of hands while holding the circle, press **Need backup**: the moderators are "
        "told quietly."
    )


def display_name(guild: discord.Guild | None, user_id: int) -> str:
    """Return a member's display name as plain text that can never ping."""
    member = guild.get_member(user_id) if guild else None
    if member is None:
        return f"<@{user_id}>"  # shown as their name in Discord; allowed_mentions none
    return discord.utils.escape_mentions(discord.utils.escape_markdown(member.display_name))


def order_text(order: TalkingOrder, guild: discord.Guild | None) -> str:
    """Render the public talking order: names only, in order."""
    lines = [f"**Talking order — {order.title}**"]
    if not order.is_open:
        lines.append("The circle has closed. Thank you for listening to each other. 💛")
        return "\n".join(lines)
    speaker = display_name(guild, order.speaker_id) if order.speaker_id else "nobody yet"
    lines.append(f"🎙️ Speaking now: {speaker}")
    if order.waiting:
        lines.append("Waiting:")
        lines += [f"{n}. {display_name(guild, uid)}" for n, uid in enumerate(order.waiting, 1)]
    else:
        lines.append("Nobody is waiting. Raise your hand with **Raise my hand** or `/circle hand`.")
    if order.notes_waiting:
        s = "" if order.notes_waiting == 1 else "s"
        lines.append(f"✍️ {order.notes_waiting} written note{s} waiting for the facilitator")
    lines.append(
        "-# Rather not speak? **Write instead**: the facilitator reads your words aloud, "
        "with your name or without."
    )
    return "\n".join(lines)[:CONTENT_LIMIT]


def hand_text(outcome: HandOutcome) -> str:
    """Return a member's private answer after raising or lowering their hand."""
    if not outcome.raised:
        return f"Your hand is down in **{outcome.order.title}**. That's fine too. 💛"
    ahead = outcome.place - 1 if outcome.place else 0
    return (
        f"✋ Your hand is up in **{outcome.order.title}**: you're number {outcome.place}"
        + (f", with {ahead} before you." if ahead else ", next to speak.")
        + " Use `/circle hand` again or **Lower my hand** if you change your mind."
    )


def next_text(speaker_id: int | None, order: TalkingOrder, guild: discord.Guild | None) -> str:
    """Return the facilitator's private answer after passing to the next hand."""
    if speaker_id is None:
        text = "Nobody has a hand up right now."
    else:
        text = f"Passing to **{display_name(guild, speaker_id)}**."
        text += f" {len(order.waiting)} waiting after them." if order.waiting else ""
    if order.notes_waiting:
        text += (
            f"\n✍️ {order.notes_waiting} written note(s) waiting: `/circle note` shows the "
            "next one to you privately."
        )
    return text


def quoted(text: str) -> str:
    """Return text as a Markdown quote, line by line."""
    return "\n".join(f"> {line}" for line in text.splitlines())


def note_text(note: WaitingNote, guild: discord.Guild | None) -> str:
    """Return a note for the facilitator to read aloud, privately."""
    who = "Anonymous" if note.author_id is None else f"From {display_name(guild, note.author_id)}"
    more = f"\n\n{note.remaining} more waiting." if note.remaining else ""
    return f"**{who}**, to read aloud:\n{quoted(note.text)}{more}"


def unread_parts(notes: tuple[WaitingNote, ...], guild: discord.Guild | None) -> list[str]:
    """Return the notes nobody read, for the closing facilitator, in message-sized parts."""
    parts = []
    for note in notes:
        who = "Anonymous" if note.author_id is None else display_name(guild, note.author_id)
        parts.append(f"**{who}:**\n{quoted(note.text)}")
    text = "These notes came in but weren't read aloud:\n\n" + "\n\n".join(parts)
    return [text[start : start + NOTES_PART] for start in range(0, len(text), NOTES_PART)]


def results_text(results: FeedbackResults, minimum: int) -> str:
    """Render feedback for a facilitator: only the aggregate, or why not yet."""
    head = f"**Feedback for {results.title}** ({results.local_date.isoformat()})"
    when = f"<t:{int(results.closes_at.timestamp())}:R>"
    if results.needed:
        return (
            f"{head}\n{results.count} answered so far. Feedback is shown only once at least "
            f"{minimum} people have answered, so nobody can be picked out: "
            f"{results.needed} more needed (feedback closes {when})."
        )
    if not results.ready:
        return (
            f"{head}\n{results.count} answered. The results show once feedback closes {when}, "
            "so no single answer can be picked out as it arrives."
        )
    lines = [head, f"{results.count} answers · average **{results.average:.1f}** / {TOP_RATING}"]
    lines += [f"{n} {STARS * n}: {results.ratings[n - 1]}" for n in range(TOP_RATING, 0, -1)]
    if results.words:
        lines += ["", "**In their words** (in random order):"]
        lines += [f"> {' '.join(w.split())}" for w in results.words]
    return "\n".join(lines)[:CONTENT_LIMIT]
