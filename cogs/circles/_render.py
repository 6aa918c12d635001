"""What the circles cog says: announcements, the talking order, feedback and private answers.

Every function takes the reader's `Language` first: the member's for private answers
(`language(interaction.locale)`), the server's for what is posted in a channel. Names are shown
as display names or mentions, and everything goes out with mentions off, so nothing here ever
pings anyone.
"""

from __future__ import annotations

import discord
from babel.numbers import format_decimal

from bot.i18n import N_, Language
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

CANCELLED_BECAUSE = {
    Cancellation.SKIPPED: N_("%(title)s — skipped"),
    Cancellation.ENDED: N_("%(title)s — the circle has ended"),
}
NOTES_PART = 1900  # characters of unread notes per private message


def headcount(_: Language, meeting: Meeting) -> str:
    """Return the public headcount: numbers only, never names."""
    text = _.plural("%(count)s going", "%(count)s going", meeting.going)
    if meeting.capacity is not None:
        text = _.plural(
            "%(going)s going of %(count)s place",
            "%(going)s going of %(count)s places",
            meeting.capacity,
            going=_.number(meeting.going),
        )
    if meeting.waitlisted:
        text += _.plural(
            ", %(count)s on the waitlist", ", %(count)s on the waitlist", meeting.waitlisted
        )
    return text


def announcement_embed(_: Language, meeting: Meeting) -> discord.Embed:
    """Render the public announcement of one meeting."""
    lines = [meeting.description, ""] if meeting.description else []
    lines += [
        _(
            "**When:** %(start)s (%(relative)s) until %(end)s",
            start=ts(meeting.start_utc),
            relative=ts(meeting.start_utc, "R"),
            end=ts(meeting.end_utc, "t"),
        ),
        _("**Where:** %(room)s", room=f"<#{meeting.voice_channel_id}>"),
        _("**RSVPs:** %(headcount)s", headcount=headcount(_, meeting)),
    ]
    embed = discord.Embed(title=meeting.title, description="\n".join(lines), colour=WARM)
    embed.set_footer(text=_("Your answer is private; only facilitators see who is coming."))
    return embed


def cancelled_embed(_: Language, meeting: Meeting, why: Cancellation) -> discord.Embed:
    """Render an announcement whose meeting no longer happens."""
    return discord.Embed(
        title=_(CANCELLED_BECAUSE[why], title=meeting.title),
        description=_("The meeting on %(when)s will not take place.", when=ts(meeting.start_utc)),
        colour=discord.Colour.light_grey(),
    )


def announce_notes(_: Language, result: AnnounceResult) -> str:
    """Say what announcing could not do, for the facilitator (empty if it all went out)."""
    notes = []
    if result.no_channel:
        notes.append(
            _(
                "There is no circles channel yet, so nothing was announced; a moderator can "
                "choose one with `/setup channels`."
            )
        )
    if result.event_failed:
        notes.append(_("I couldn't create the Discord event; Hearth needs Manage Events."))
    return "\n".join(notes)


def answer_text(_: Language, outcome: RsvpOutcome) -> str:
    """Return the private answer to a member's RSVP."""
    meeting = outcome.meeting
    when = ts(meeting.start_utc)
    if outcome.status == YES:
        return _(
            "You're in for **%(title)s** on %(when)s. See you there. 💛",
            title=meeting.title,
            when=when,
        )
    if outcome.status == WAITLIST:
        return _(
            "**%(title)s** on %(when)s is full, so you're number %(place)s on the "
            "waitlist. I'll tell you privately if a place opens up.",
            title=meeting.title,
            when=when,
            place=_.number(outcome.place or 0),
        )
    return _(
        "Thanks for letting us know. You're not down for **%(title)s** on %(when)s.",
        title=meeting.title,
        when=when,
    )


def reminder_text(_: Language, meeting: Meeting) -> str:
    """Return a private reminder that a meeting is coming."""
    return _(
        "A gentle reminder: **%(title)s** starts %(relative)s (%(when)s) in %(room)s. If you "
        "can't make it, press **%(button)s** on the announcement so someone else can come.",
        title=meeting.title,
        relative=ts(meeting.start_utc, "R"),
        when=ts(meeting.start_utc),
        room=f"<#{meeting.voice_channel_id}>",
        button=_.context("button", "Can't make it"),
    )


def promoted_text(_: Language, meeting: Meeting) -> str:
    """Return the private news that a place opened up for a member on the waitlist."""
    return _(
        "Good news: a place opened up in **%(title)s** on %(when)s, and it's yours. See you "
        "in %(room)s. If you can't make it after all, press **%(button)s** on the "
        "announcement.",
        title=meeting.title,
        when=ts(meeting.start_utc),
        room=f"<#{meeting.voice_channel_id}>",
        button=_.context("button", "Can't make it"),
    )


def attendance_text(
    _: Language, meeting: Meeting, going: tuple[int, ...], waitlist: tuple[int, ...]
) -> str:
    """Return who is coming, for a facilitator only."""
    names = ", ".join(f"<@{user_id}>" for user_id in going) or _("nobody yet")
    lines = [f"**{meeting.title}**, {ts(meeting.start_utc)}", _("Going: %(names)s", names=names)]
    if waitlist:
        listed = ", ".join(f"{n}. <@{user_id}>" for n, user_id in enumerate(waitlist, 1))
        lines.append(_("Waitlist: %(names)s", names=listed))
    return "\n".join(lines)[:CONTENT_LIMIT]


# ----- holding a circle ------------------------------------------------------------------------
def opening_embed(
    _: Language, meeting: Meeting, *, yes_only: bool, points: tuple[str, ...]
) -> discord.Embed:
    """Render the circles channel's note that the room is open, with the agreement in short."""
    room = f"<#{meeting.voice_channel_id}>"
    lines = [
        _(
            "The room is open to those who said yes: come in to %(room)s when you're ready.",
            room=room,
        )
        if yes_only
        else _("The room is open: come in to %(room)s when you're ready.", room=room)
    ]
    if points:
        lines += [
            "",
            _("**Our agreement, in short**"),
            "\n".join(f"• {point}" for point in points),
        ]
    lines += [
        "",
        _(
            "To speak, raise your hand with `/circle hand`; rather write? Use **%(button)s** "
            "under the talking order.",
            button=_.context("button", "Write instead"),
        ),
        _("If you're struggling right now, `/crisis` shows helplines privately, any time."),
    ]
    return discord.Embed(
        title=_("%(title)s is open", title=meeting.title),
        description="\n".join(lines),
        colour=WARM,
    )


def closing_embed(_: Language, meeting: Meeting, *, minimum: int) -> discord.Embed:
    """Render the circles channel's note that a meeting has closed, inviting feedback."""
    return discord.Embed(
        title=_("%(title)s has closed", title=meeting.title),
        description=_(
            "Thank you to everyone who came and shared, and to everyone who listened. "
            "Take gentle care of yourselves. `/crisis` is there if you need it.\n\n"
            "If you were there, you're welcome to tell the facilitators how it was: "
            "**anonymously**, for the next 24 hours. They only see totals, and only once "
            "at least %(minimum)s people have answered.",
            minimum=_.number(minimum),
        ),
        colour=WARM,
    )


def opened_text(_: Language, meeting: Meeting, *, yes_only: bool) -> str:
    """Return the opening facilitator's private answer."""
    text = (
        N_("%(room)s is open to those who said yes.")
        if yes_only
        else N_("%(room)s is open to members.")
    )
    return (
        _(text, room=f"<#{meeting.voice_channel_id}>")
        + " "
        + _(
            "`/circle next` passes to the next raised hand and `/circle note` shows you the "
            "next written note. If you need another pair of hands while holding the circle, "
            "press **%(button)s**: the moderators are told quietly.",
            button=_.context("button", "Need backup"),
        )
    )


def display_name(guild: discord.Guild | None, user_id: int) -> str:
    """Return a member's display name as plain text that can never ping."""
    member = guild.get_member(user_id) if guild else None
    if member is None:
        return f"<@{user_id}>"  # shown as their name in Discord; allowed_mentions none
    return discord.utils.escape_mentions(discord.utils.escape_markdown(member.display_name))


def order_text(_: Language, order: TalkingOrder, guild: discord.Guild | None) -> str:
    """Render the public talking order: names only, in order."""
    lines = [_("**Talking order — %(title)s**", title=order.title)]
    if not order.is_open:
        lines.append(_("The circle has closed. Thank you for listening to each other. 💛"))
        return "\n".join(lines)
    speaker = display_name(guild, order.speaker_id) if order.speaker_id else _("nobody yet")
    lines.append(_("🎙️ Speaking now: %(name)s", name=speaker))
    if order.waiting:
        lines.append(_("Waiting:"))
        lines += [f"{n}. {display_name(guild, uid)}" for n, uid in enumerate(order.waiting, 1)]
    else:
        lines.append(
            _(
                "Nobody is waiting. Raise your hand with **%(button)s** or `/circle hand`.",
                button=_.context("button", "Raise my hand"),
            )
        )
    if order.notes_waiting:
        lines.append(
            _.plural(
                "✍️ %(count)s written note waiting for the facilitator",
                "✍️ %(count)s written notes waiting for the facilitator",
                order.notes_waiting,
            )
        )
    lines.append(
        "-# "
        + _(
            "Rather not speak? **%(button)s**: the facilitator reads your words aloud, "
            "with your name or without.",
            button=_.context("button", "Write instead"),
        )
    )
    return "\n".join(lines)[:CONTENT_LIMIT]


def hand_text(_: Language, outcome: HandOutcome) -> str:
    """Return a member's private answer after raising or lowering their hand."""
    title = outcome.order.title
    if not outcome.raised:
        return _("Your hand is down in **%(title)s**. That's fine too. 💛", title=title)
    ahead = outcome.place - 1 if outcome.place else 0
    place = _.number(outcome.place or 0)
    text = (
        _.plural(
            "✋ Your hand is up in **%(title)s**: you're number %(place)s, with %(count)s "
            "before you.",
            "✋ Your hand is up in **%(title)s**: you're number %(place)s, with %(count)s "
            "before you.",
            ahead,
            title=title,
            place=place,
        )
        if ahead
        else _(
            "✋ Your hand is up in **%(title)s**: you're number %(place)s, next to speak.",
            title=title,
            place=place,
        )
    )
    return (
        text
        + " "
        + _(
            "Use `/circle hand` again or **%(button)s** if you change your mind.",
            button=_.context("button", "Lower my hand"),
        )
    )


def next_text(
    _: Language, speaker_id: int | None, order: TalkingOrder, guild: discord.Guild | None
) -> str:
    """Return the facilitator's private answer after passing to the next hand."""
    if speaker_id is None:
        text = _("Nobody has a hand up right now.")
    else:
        text = _("Passing to **%(name)s**.", name=display_name(guild, speaker_id))
        if order.waiting:
            text += " " + _.plural(
                "%(count)s waiting after them.", "%(count)s waiting after them.", len(order.waiting)
            )
    if order.notes_waiting:
        text += "\n" + _.plural(
            "✍️ %(count)s written note waiting: `/circle note` shows the next one to you privately.",
            "✍️ %(count)s written notes waiting: `/circle note` shows the next one to you "
            "privately.",
            order.notes_waiting,
        )
    return text


def quoted(text: str) -> str:
    """Return text as a Markdown quote, line by line."""
    return "\n".join(f"> {line}" for line in text.splitlines())


def note_text(_: Language, note: WaitingNote, guild: discord.Guild | None) -> str:
    """Return a note for the facilitator to read aloud, privately."""
    head = (
        _("**Anonymous**, to read aloud:")
        if note.author_id is None
        else _("**From %(name)s**, to read aloud:", name=display_name(guild, note.author_id))
    )
    more = (
        "\n\n" + _.plural("%(count)s more waiting.", "%(count)s more waiting.", note.remaining)
        if note.remaining
        else ""
    )
    return f"{head}\n{quoted(note.text)}{more}"


def unread_parts(
    _: Language, notes: tuple[WaitingNote, ...], guild: discord.Guild | None
) -> list[str]:
    """Return the notes nobody read, for the closing facilitator, in message-sized parts."""
    parts = []
    for note in notes:
        who = _("Anonymous") if note.author_id is None else display_name(guild, note.author_id)
        parts.append(f"**{who}:**\n{quoted(note.text)}")
    text = _("These notes came in but weren't read aloud:") + "\n\n" + "\n\n".join(parts)
    return [text[start : start + NOTES_PART] for start in range(0, len(text), NOTES_PART)]


def results_text(_: Language, results: FeedbackResults, minimum: int) -> str:
    """Render feedback for a facilitator: only the aggregate, or why not yet."""
    head = _(
        "**Feedback for %(title)s** (%(date)s)",
        title=results.title,
        date=_.day(results.local_date, "medium"),
    )
    when = f"<t:{int(results.closes_at.timestamp())}:R>"
    if results.needed:
        return (
            head
            + "\n"
            + _(
                "%(count)s answered so far. Feedback is shown only once at least %(minimum)s "
                "people have answered, so nobody can be picked out: %(needed)s more needed "
                "(feedback closes %(when)s).",
                count=_.number(results.count),
                minimum=_.number(minimum),
                needed=_.number(results.needed),
                when=when,
            )
        )
    if not results.ready:
        return (
            head
            + "\n"
            + _(
                "%(count)s answered. The results show once feedback closes %(when)s, so no single "
                "answer can be picked out as it arrives.",
                count=_.number(results.count),
                when=when,
            )
        )
    average = format_decimal(results.average, "0.0", locale=_.babel)
    lines = [
        head,
        _.plural(
            "%(count)s answer · average **%(average)s** / %(top)s",
            "%(count)s answers · average **%(average)s** / %(top)s",
            results.count,
            average=average,
            top=TOP_RATING,
        ),
    ]
    lines += [f"{n} {STARS * n}: {results.ratings[n - 1]}" for n in range(TOP_RATING, 0, -1)]
    if results.words:
        lines += ["", _("**In their words** (in random order):")]
        lines += [f"> {' '.join(w.split())}" for w in results.words]
    return "\n".join(lines)[:CONTENT_LIMIT]
