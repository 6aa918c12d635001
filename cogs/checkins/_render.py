"""How check-ins look: the public post, the privacy receipt, cards, and the history chart.

Every function takes the reader's words (`bot.i18n.Language`): the member's language for what
only they see, the server's (`server_language`) for posts, threads and the moderators' cards.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import datetime, timedelta
from functools import cache

import discord
from babel.dates import get_day_names
from PIL import Image, ImageDraw, ImageFont

from bot.domain.checkins import MOODS, neutralise
from bot.i18n import NC_, SHIPPED, Language, language
from bot.services.checkins import (
    CheckinConfig,
    CheckinPost,
    CommunitySummary,
    Delivery,
    History,
    Notice,
    Receipt,
    Revealed,
    RevealRequest,
)
from bot.ui import WARM

MOOD_COLOURS = {
    1: (94, 129, 172),
    2: (129, 161, 193),
    3: (235, 203, 139),
    4: (163, 190, 140),
    5: (222, 140, 90),
}
# The mood scale's words, by value (the domain's MOODS keep the values and emoji).
MOOD_WORDS = {
    1: NC_("select option", "Struggling"),
    2: NC_("select option", "Low"),
    3: NC_("select option", "Okay"),
    4: NC_("select option", "Good"),
    5: NC_("select option", "Doing well"),
}


def mood_word(value: int, _: Language) -> str:
    """Return the mood's word in this language ("Struggling"...)."""
    return _.context("select option", MOOD_WORDS[value])


def mood_label(value: int, _: Language) -> str:
    """Return the mood's emoji and word ("🌧️ Struggling")."""
    return f"{MOODS[value - 1].emoji} {mood_word(value, _)}"


# Words for several days at once, as a member may type them (in their language too).
SEVERAL_DAYS = {
    NC_("day word", "daily"): frozenset(range(7)),
    NC_("day word", "weekdays"): frozenset(range(5)),
    NC_("day word", "weekends"): frozenset({5, 6}),
}


def local_days(_: Language) -> dict[str, frozenset[int]]:
    """Return the reader's language's words for days: "laborables", "lunes", "lun"..."""
    words = {_.context("day word", word): days for word, days in SEVERAL_DAYS.items()}
    for width in ("wide", "abbreviated"):
        for day, name in get_day_names(width, locale=_.babel).items():
            words[name] = frozenset({day})
    return words


def day_suggestions(_: Language) -> list[str]:
    """Return what the days option suggests: the reader's words first, then the English."""
    mine = [_.context("day word", word) for word in SEVERAL_DAYS]
    names = get_day_names("abbreviated", locale=_.babel)
    example = ", ".join(names[d] for d in (0, 2, 4))  # read back by parse_days as typed
    return [*mine, example, *(names[d] for d in range(7))]


def days_words(days: frozenset[int], _: Language) -> str:
    """Say which weekdays (0 is Monday) a reminder comes on: "every day", "on Mon and Thu"."""
    if days == frozenset(range(7)):
        return _("every day")
    if days == frozenset(range(5)):
        return _("on weekdays")
    if days == frozenset({5, 6}):
        return _("at weekends")
    names = get_day_names("abbreviated", locale=_.babel)
    return _("on %(days)s", days=_.listing([names[d] for d in sorted(days)]))


def ts(when: datetime, style: str = "f") -> str:
    """Return a Discord timestamp, so every reader sees their own local time."""
    return f"<t:{int(when.timestamp())}:{style}>"


def jump_url(guild_id: int, channel_id: int | None, message_id: int | None) -> str:
    """Return a link to a message."""
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def notice_text(notice: Notice, _: Language) -> str:
    """Return a notice for an author in this language (an empty reason said as such)."""
    values = dict(notice.values)
    if "reason" in values and not values["reason"]:
        values["reason"] = _("none given")
    return _(notice.message, **values)


def post_embed(delivery: Delivery, _: Language) -> discord.Embed:
    """Render the public post: pseudonym, mood and the note, with nothing that can ping."""
    embed = discord.Embed(
        title=mood_label(delivery.mood, _),
        description=neutralise(delivery.note) if delivery.note else None,
        colour=discord.Colour.from_rgb(*MOOD_COLOURS[delivery.mood]),
    )
    embed.set_author(name=_("%(pseudonym)s checked in", pseudonym=delivery.pseudonym))
    marker = post_marker(delivery.ref, _)
    embed.set_footer(
        text=_("%(marker)s · reply with care in the thread", marker=marker)
        if delivery.threads
        else marker
    )
    return embed


def post_marker(ref: str, _: Language) -> str:
    """Return the footer text that marks a check-in's post (found by it after a crash)."""
    return _("Anonymous check-in %(ref)s", ref=ref)


def post_markers(ref: str) -> set[str]:
    """Return the post's marker in every shipped language (the server's may have changed)."""
    return {post_marker(ref, language(code)) for code in SHIPPED}


def thread_name(delivery: Delivery, _: Language) -> str:
    """Return the name of the reply thread."""
    return f"{delivery.pseudonym} · {mood_word(delivery.mood, _)}"[:100]


def receipt_embed(receipt: Receipt, channel_mention: str, _: Language) -> discord.Embed:
    """Render the privacy receipt the member gets at once, privately."""
    description = _(
        "Your check-in (%(mood)s) is safely queued as **%(pseudonym)s**. It will appear in "
        "%(channel)s %(when)s, after a small random delay so the timing doesn't give you away. "
        "You can **Undo** it until then.",
        mood=mood_label(receipt.mood, _),
        pseudonym=receipt.pseudonym,
        channel=channel_mention,
        when=ts(receipt.due_at, "R"),
    )
    embed = discord.Embed(title=_("Queued, anonymously"), description=description, colour=WARM)
    embed.add_field(
        name=_("What is stored"),
        value=_(
            "Your mood and note, never your name. Your id is kept encrypted only until it's "
            "posted, so you can undo. Until %(until)s, a secret key counts your check-ins for "
            "the daily limit without showing who you are; then it is destroyed, and nobody, not "
            "even whoever runs the bot, can link this to you.",
            until=ts(receipt.unlinkable_at, "D"),
        ),
        inline=False,
    )
    kept = [
        _.plural(
            "Your note is erased from Hearth after %(count)s day.",
            "Your note is erased from Hearth after %(count)s days.",
            receipt.note_retention_days,
        )
    ]
    if receipt.post_retention_days:
        kept.append(
            _.plural(
                "The post is deleted from the channel after %(count)s day.",
                "The post is deleted from the channel after %(count)s days.",
                receipt.post_retention_days,
            )
        )
    if receipt.history_kept:
        kept.append(_("Your history (day and mood only, under your name) is kept for you."))
    embed.add_field(name=_("For how long"), value=" ".join(kept), inline=False)
    embed.add_field(
        name=_("Reveal: on in this server") if receipt.reveal_enabled else _("Reveal: off"),
        value=_(
            "Until %(until)s, two different moderators together can find out that you wrote "
            "this, for someone's safety. It is written to the moderator log and you would be "
            "told.",
            until=ts(receipt.unlinkable_at, "D"),
        )
        if receipt.reveal_enabled
        else _("Nobody, moderators included, can find out who wrote this."),
        inline=False,
    )
    embed.set_footer(text=_("Check-in %(ref)s", ref=receipt.ref))
    return embed


def alert_embed(post: CheckinPost, reason: str | None, _: Language) -> discord.Embed:
    """Render the moderators' card for a reported check-in (no author, no reporter)."""
    link = jump_url(post.guild_id, post.channel_id, post.message_id)
    lines = [
        _(
            "A member reported [check-in %(ref)s](%(link)s) by **%(pseudonym)s**.",
            ref=post.ref,
            link=link,
            pseudonym=post.pseudonym,
        ),
        _("Reports so far: **%(count)s**.", count=_.number(post.report_count)),
    ]
    if reason:
        lines.append(_("Latest reason given: %(reason)s", reason=neutralise(reason)[:500]))
    lines.append(
        _(
            "Hearth doesn't know who wrote it or who reported it. Removing or pausing tells the "
            "author privately, without telling you who they are."
        )
    )
    return discord.Embed(title=_("Check-in reported"), description="\n".join(lines), colour=WARM)


STATUS_WORDS = {
    "pending": NC_("check-in status", "waiting"),
    "posted": NC_("check-in status", "posted"),
    "removed": NC_("check-in status", "removed"),
}


def moderation_embed(post: CheckinPost, _: Language) -> discord.Embed:
    """Render the private moderation card for one check-in."""
    link = jump_url(post.guild_id, post.channel_id, post.message_id)
    posted = ts(post.posted_at) if post.posted_at else _("not posted")
    status = STATUS_WORDS.get(post.status)
    lines = [
        _(
            "[Check-in %(ref)s](%(link)s) by **%(pseudonym)s** · %(posted)s · %(status)s",
            ref=post.ref,
            link=link,
            pseudonym=post.pseudonym,
            posted=posted,
            status=_.context("check-in status", status) if status else post.status,
        ),
        _(
            "You can remove it, or pause its author from posting for a while. Either way the "
            "author is told privately, and nobody learns who they are."
        ),
    ]
    if post.reveal_possible:
        lines.append(
            _(
                "This server allowed reveals when it was posted: two different moderators "
                "together can find out who wrote it, until the grace period ends."
            )
        )
    return discord.Embed(title=_("Moderate a check-in"), description="\n".join(lines), colour=WARM)


def detection_embed(
    guild_id: int, channel_id: int, message_id: int, ref: str, _: Language
) -> discord.Embed:
    """Render the content-free note to the moderators for a check-in that may signal crisis."""
    return discord.Embed(
        title=_("A check-in may need gentle attention"),
        description=_(
            "[Check-in %(ref)s](%(link)s) was just posted. Hearth shares nothing else: not who "
            "wrote it, and not why it noticed. The author was privately shown the crisis card.",
            ref=ref,
            link=jump_url(guild_id, channel_id, message_id),
        ),
        colour=WARM,
    )


def summary_embed(result: CommunitySummary, _: Language) -> discord.Embed:
    """Render the community's week, or explain why it is hidden."""
    title = _("How we've been this week")
    if result.summary is None:
        return discord.Embed(
            title=title,
            description=_(
                "Not enough different people have checked in this week to show a summary "
                "without risking anyone's privacy (it needs at least %(count)s). Check back "
                "later, or check in yourself with `/checkin share`.",
                count=_.number(result.k),
            ),
            colour=WARM,
        )
    summary = result.summary
    widest = max(summary.counts) or 1
    words = {m.value: mood_word(m.value, _) for m in MOODS}
    width = max(len(word) for word in words.values()) + 1
    lines = [
        f"{m.emoji} {words[m.value]:<{width}} {'█' * round(8 * c / widest) or '·'} {c}"
        for m, c in zip(MOODS, summary.counts, strict=True)
    ]
    said = _.plural(
        "%(count)s check-in since %(since)s, from at least %(members)s different people.",
        "%(count)s check-ins since %(since)s, from at least %(members)s different people.",
        summary.total,
        since=ts(result.since, "D"),
        members=_.number(summary.members),
    )
    return discord.Embed(
        title=title,
        description=said + "\n```\n" + "\n".join(lines) + "\n```",
        colour=WARM,
    )


def settings_embed(config: CheckinConfig, warnings: list[str], _: Language) -> discord.Embed:
    """Render a server's check-in settings for moderators."""
    delay = config.max_delay_seconds

    def days(count: int) -> str:
        return _.plural("%(count)s day", "%(count)s days", count)

    lines = [
        _("**Posting delay**: random, up to %(minutes)s min", minutes=delay // 60)
        if delay
        else _("**Posting delay**: none"),
        _("**Check-ins per member per day**: %(count)s", count=config.daily_limit),
        _("**Reply threads**: on") if config.threads else _("**Reply threads**: off"),
        _("**Pseudonyms change every**: %(days)s", days=days(config.window_days)),
        _(
            "**Grace period** (then nothing links a check-in to its author): %(days)s",
            days=days(config.grace_days),
        ),
        _("**Reveal**: on (two moderators, within the grace period)")
        if config.reveal_enabled
        else _("**Reveal**: off"),
        _(
            "**Summary shown from**: %(count)s different members",
            count=config.summary_min_members,
        ),
        _("**Notes erased after**: %(days)s", days=days(config.note_retention_days)),
        _("**Posts deleted after**: %(days)s", days=days(config.post_retention_days))
        if config.post_retention_days
        else _("**Posts deleted after**: never"),
    ]
    embed = discord.Embed(title=_("Check-in settings"), description="\n".join(lines), colour=WARM)
    if warnings:
        embed.add_field(name=_("Needs fixing"), value="\n".join(f"⚠️ {w}" for w in warnings)[:1024])
    return embed


def history_words(history: History, _: Language) -> str:
    """Say in simple words how the member's days went, e.g. "Most days this month: Okay"."""
    overview = history.overview
    if overview.common is None:
        if history.days <= 31:
            return _("No check-ins this month yet.")
        return _("No check-ins in the last %(days)s days yet.", days=history.days)
    feeling = mood_word(overview.common, _)
    if history.days <= 31:
        return _.plural(
            "You checked in on %(count)s day this month: %(mood)s.",
            "Most days this month: %(mood)s (you checked in on %(count)s days).",
            overview.checked,
            mood=feeling,
        )
    return _.plural(
        "You checked in on %(count)s day in the last %(days)s days: %(mood)s.",
        "Most days in the last %(days)s days: %(mood)s (you checked in on %(count)s days).",
        overview.checked,
        days=history.days,
        mood=feeling,
    )


def reach_out_text(who: str, user_id: int, _: Language) -> str:
    """Return the first text of the named card: who asked, and nothing about any check-in."""
    return _(
        "**%(who)s** (<@%(id)s>) asked for someone here to reach out to them. They didn't write "
        "anything else for you: Hearth only passes on the request. A kind message, or a private "
        "thread, is a good start.",
        who=who,
        id=user_id,
    )


def reminder_embed(guild_name: str | None, _: Language) -> discord.Embed:
    """Render the gentle nudge a member asked for."""
    return discord.Embed(
        title=_("A gentle nudge"),
        description=_(
            "How are you today? If you'd like, check in with %(community)s: it stays anonymous.",
            community=guild_name or _("your community"),
        ),
        colour=WARM,
    )


def reveal_request_embed(request: RevealRequest, _: Language) -> discord.Embed:
    """Render a moderator's request to reveal, for a second moderator to decide."""
    return discord.Embed(
        title=_("Reveal requested"),
        description=_(
            "<@%(moderator)s> asks to reveal who wrote check-in %(ref)s.\n**Reason**: "
            "%(reason)s\n\nA *different* moderator must approve. The author will be told, and "
            "it is written to the moderator log. Possible until %(until)s.",
            moderator=request.requested_by,
            ref=request.post.ref,
            reason=neutralise(request.reason),
            until=ts(request.expires_at),
        ),
        colour=WARM,
    )


def reveal_approved_embed(revealed: Revealed, _: Language) -> discord.Embed:
    """Render a reveal request once approved (the author is named only privately)."""
    request = revealed.request
    return discord.Embed(
        title=_("Reveal approved"),
        description=_(
            "<@%(asked)s> asked and <@%(approved)s> approved revealing who wrote check-in "
            "%(ref)s. Only they were told; the author has been told too.",
            asked=request.requested_by,
            approved=revealed.approved_by,
            ref=request.post.ref,
        ),
        colour=WARM,
    )


def reveal_declined_embed(moderator_id: int, ref: str, _: Language) -> discord.Embed:
    """Render a reveal request once declined."""
    return discord.Embed(
        title=_("Reveal declined"),
        description=_(
            "<@%(moderator)s> declined revealing who wrote check-in %(ref)s.",
            moderator=moderator_id,
            ref=ref,
        ),
        colour=WARM,
    )


# ----- the history chart -----------------------------------------------------------------
CHART_SIZE = (720, 300)
BACKGROUND = (255, 248, 240)
INK = (70, 60, 55)
GRID = (230, 220, 210)


# Fonts that cover every shipped language's letters (é, ç, ü, ã…), found in the system's font
# folders; Pillow's own default font only has ASCII, so with it the words lose their accents.
FONT_FILES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf")


@cache
def _font(size: int) -> tuple[ImageFont.ImageFont | ImageFont.FreeTypeFont, bool]:
    """Return a font of this size, and whether it has more than ASCII's letters."""
    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size), True
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=size), False
    except (TypeError, OSError):  # pragma: no cover - very old Pillow or no FreeType
        return ImageFont.load_default(), False


def _plain(text: str) -> str:
    """Return the text without accents ("Très" -> "Tres"), for a font that lacks them."""
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in folded if not unicodedata.combining(c))


def history_chart(history: History, _: Language) -> bytes:
    """Draw the member's moods per day as a PNG bar chart."""
    width, height = CHART_SIZE
    right, top, bottom = 20, 40, 40
    image = Image.new("RGB", CHART_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    (font, full), (small, _full) = _font(14), _font(12)

    def say(text: str) -> str:
        return text if full else _plain(text)

    words = {m.value: say(mood_word(m.value, _)) for m in MOODS}
    left = max(110, 20 + max(round(draw.textlength(w, font=small)) for w in words.values()))
    title = say(_("Your check-ins, last %(days)s days", days=history.days))
    draw.text((left, 10), title, fill=INK, font=font)
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_h / (len(MOODS) - 1)
    for m in MOODS:
        y = top + plot_h - (m.value - 1) * step
        draw.line([(left, y), (width - right, y)], fill=GRID, width=1)
        draw.text((10, y - 8), words[m.value], fill=INK, font=small)
    start = history.today - timedelta(days=history.days - 1)
    slot = plot_w / history.days
    for day, value in history.per_day.items():
        index = (day - start).days
        if not 0 <= index < history.days:
            continue
        x0 = left + index * slot + slot * 0.15
        x1 = left + (index + 1) * slot - slot * 0.15
        y = top + plot_h - (value - 1) * step
        draw.rectangle([x0, y - 3, max(x1, x0 + 1), top + plot_h], fill=MOOD_COLOURS[value])
    for label_day in (start, start + (history.today - start) / 2, history.today):
        label = say(_.day(label_day, "d MMM"))
        x = left + (label_day - start).days * slot
        x = min(x, width - right - draw.textlength(label, font=small))  # the last one fits
        draw.text((x, height - 30), label, fill=INK, font=small)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
