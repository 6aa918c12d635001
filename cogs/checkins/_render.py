"""How check-ins look: the public post, the privacy receipt, cards, and the history chart."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import discord
from PIL import Image, ImageDraw, ImageFont

from bot.domain.checkins import MOODS, mood, neutralise
from bot.services.checkins import (
    CheckinConfig,
    CheckinPost,
    CommunitySummary,
    Delivery,
    History,
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


def ts(when: datetime, style: str = "f") -> str:
    """Return a Discord timestamp, so every reader sees their own local time."""
    return f"<t:{int(when.timestamp())}:{style}>"


def jump_url(guild_id: int, channel_id: int | None, message_id: int | None) -> str:
    """Return a link to a message."""
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def post_embed(delivery: Delivery) -> discord.Embed:
    """Render the public post: pseudonym, mood and the note, with nothing that can ping."""
    feeling = mood(delivery.mood)
    embed = discord.Embed(
        title=feeling.label,
        description=neutralise(delivery.note) if delivery.note else None,
        colour=discord.Colour.from_rgb(*MOOD_COLOURS[delivery.mood]),
    )
    embed.set_author(name=f"{delivery.pseudonym} checked in")
    replies = " · reply with care in the thread" if delivery.threads else ""
    embed.set_footer(text=f"{post_marker(delivery.ref)}{replies}")
    return embed


def post_marker(ref: str) -> str:
    """Return the footer text that marks a check-in's post (found by it after a crash)."""
    return f"Anonymous check-in {ref}"


def thread_name(delivery: Delivery) -> str:
    """Return the name of the reply thread."""
    return f"{delivery.pseudonym} · {mood(delivery.mood).word}"[:100]


def receipt_embed(receipt: Receipt, channel_mention: str) -> discord.Embed:
    """Render the privacy receipt the member gets at once, privately."""
    feeling = mood(receipt.mood)
    description = (
        f"Your check-in ({feeling.label.lower()}) is safely queued as **{receipt.pseudonym}**. "
        f"It will appear in {channel_mention} {ts(receipt.due_at, 'R')}, after a small random "
        "delay so the timing doesn't give you away. You can **Undo** it until then."
    )
    embed = discord.Embed(title="Queued, anonymously", description=description, colour=WARM)
    embed.add_field(
        name="What is stored",
        value=(
            "Your mood and note, never your name. Your id is kept encrypted only until it's "
            f"posted, so you can undo. Until {ts(receipt.unlinkable_at, 'D')}, a secret key "
            "counts your check-ins for the daily limit without showing who you are; then it is "
            "destroyed, and nobody, not even whoever runs the bot, can link this to you."
        ),
        inline=False,
    )
    kept = f"Your note is erased from Hearth after {receipt.note_retention_days} days."
    if receipt.post_retention_days:
        kept += f" The post is deleted from the channel after {receipt.post_retention_days} days."
    if receipt.history_kept:
        kept += " Your history (day and mood only, under your name) is kept for you."
    embed.add_field(name="For how long", value=kept, inline=False)
    embed.add_field(
        name="Reveal: on in this server" if receipt.reveal_enabled else "Reveal: off",
        value=(
            f"Until {ts(receipt.unlinkable_at, 'D')}, two different moderators together can "
            "find out that you wrote this, for someone's safety. It is written to the moderator "
            "log and you would be told."
            if receipt.reveal_enabled
            else "Nobody, moderators included, can find out who wrote this."
        ),
        inline=False,
    )
    embed.set_footer(text=f"Check-in {receipt.ref}")
    return embed


def alert_embed(post: CheckinPost, reason: str | None) -> discord.Embed:
    """Render the moderators' card for a reported check-in (no author, no reporter)."""
    link = jump_url(post.guild_id, post.channel_id, post.message_id)
    lines = [
        f"A member reported [check-in {post.ref}]({link}) by **{post.pseudonym}**.",
        f"Reports so far: **{post.report_count}**.",
    ]
    if reason:
        lines.append(f"Latest reason given: {neutralise(reason)[:500]}")
    lines.append(
        "Hearth doesn't know who wrote it or who reported it. Removing or pausing tells the "
        "author privately, without telling you who they are."
    )
    return discord.Embed(title="Check-in reported", description="\n".join(lines), colour=WARM)


def moderation_embed(post: CheckinPost) -> discord.Embed:
    """Render the private moderation card for one check-in."""
    link = jump_url(post.guild_id, post.channel_id, post.message_id)
    posted = ts(post.posted_at) if post.posted_at else "not posted"
    lines = [
        f"[Check-in {post.ref}]({link}) by **{post.pseudonym}** · {posted} · {post.status}",
        "You can remove it, or pause its author from posting for a while. Either way the "
        "author is told privately, and nobody learns who they are.",
    ]
    if post.reveal_possible:
        lines.append(
            "This server allowed reveals when it was posted: two different moderators together "
            "can find out who wrote it, until the grace period ends."
        )
    return discord.Embed(title="Moderate a check-in", description="\n".join(lines), colour=WARM)


def detection_embed(guild_id: int, channel_id: int, message_id: int, ref: str) -> discord.Embed:
    """Render the content-free note to the moderators for a check-in that may signal crisis."""
    return discord.Embed(
        title="A check-in may need gentle attention",
        description=(
            f"[Check-in {ref}]({jump_url(guild_id, channel_id, message_id)}) was just posted. "
            "Hearth shares nothing else: not who wrote it, and not why it noticed. "
            "The author was privately shown the crisis card."
        ),
        colour=WARM,
    )


def summary_embed(result: CommunitySummary) -> discord.Embed:
    """Render the community's week, or explain why it is hidden."""
    if result.summary is None:
        return discord.Embed(
            title="How we've been this week",
            description=(
                "Not enough different people have checked in this week to show a summary "
                f"without risking anyone's privacy (it needs at least {result.k}). "
                "Check back later, or check in yourself with `/checkin share`."
            ),
            colour=WARM,
        )
    summary = result.summary
    widest = max(summary.counts) or 1
    lines = [
        f"{m.emoji} {m.word.capitalize():<10} {'█' * round(8 * c / widest) or '·'} {c}"
        for m, c in zip(MOODS, summary.counts, strict=True)
    ]
    return discord.Embed(
        title="How we've been this week",
        description=(
            f"{summary.total} check-ins since {ts(result.since, 'D')}, from at least "
            f"{summary.members} different people.\n```\n" + "\n".join(lines) + "\n```"
        ),
        colour=WARM,
    )


def settings_embed(config: CheckinConfig, warnings: list[str]) -> discord.Embed:
    """Render a server's check-in settings for moderators."""
    delay = config.max_delay_seconds
    lines = [
        f"**Posting delay**: random, up to {delay // 60} min"
        if delay
        else "**Posting delay**: none",
        f"**Check-ins per member per day**: {config.daily_limit}",
        f"**Reply threads**: {'on' if config.threads else 'off'}",
        f"**Pseudonyms change every**: {config.window_days} days",
        f"**Grace period** (then nothing links a check-in to its author): {config.grace_days} days",
        f"**Reveal**: {'on (two moderators, within the grace period)' if config.reveal_enabled else 'off'}",
        f"**Summary shown from**: {config.summary_min_members} different members",
        f"**Notes erased after**: {config.note_retention_days} days",
        f"**Posts deleted after**: {f'{config.post_retention_days} days' if config.post_retention_days else 'never'}",
    ]
    embed = discord.Embed(title="Check-in settings", description="\n".join(lines), colour=WARM)
    if warnings:
        embed.add_field(name="Needs fixing", value="\n".join(f"⚠️ {w}" for w in warnings)[:1024])
    return embed


def reach_out_text(who: str, user_id: int) -> str:
    """Return the first text of the named card: who asked, and nothing about any check-in."""
    return (
        f"**{who}** (<@{user_id}>) asked for someone here to reach out to them. They didn't "
        "write anything else for you: Hearth only passes on the request. A kind message, or a "
        "private thread, is a good start."
    )


def reminder_embed(guild_name: str | None) -> discord.Embed:
    """Render the gentle nudge a member asked for."""
    return discord.Embed(
        title="A gentle nudge",
        description=(
            f"How are you today? If you'd like, check in with "
            f"{guild_name or 'your community'}: it stays anonymous."
        ),
        colour=WARM,
    )


def reveal_request_embed(request: RevealRequest) -> discord.Embed:
    """Render a moderator's request to reveal, for a second moderator to decide."""
    return discord.Embed(
        title="Reveal requested",
        description=(
            f"<@{request.requested_by}> asks to reveal who wrote check-in "
            f"{request.post.ref}.\n**Reason**: {neutralise(request.reason)}\n\n"
            "A *different* moderator must approve. The author will be told, and it is "
            f"written to the moderator log. Possible until {ts(request.expires_at)}."
        ),
        colour=WARM,
    )


def reveal_approved_embed(revealed: Revealed) -> discord.Embed:
    """Render a reveal request once approved (the author is named only privately)."""
    request = revealed.request
    return discord.Embed(
        title="Reveal approved",
        description=(
            f"<@{request.requested_by}> asked and <@{revealed.approved_by}> approved "
            f"revealing who wrote check-in {request.post.ref}. Only they were told; "
            "the author has been told too."
        ),
        colour=WARM,
    )


def reveal_declined_embed(moderator_id: int, ref: str) -> discord.Embed:
    """Render a reveal request once declined."""
    return discord.Embed(
        title="Reveal declined",
        description=f"<@{moderator_id}> declined revealing who wrote check-in {ref}.",
        colour=WARM,
    )


# ----- the history chart -----------------------------------------------------------------
CHART_SIZE = (720, 300)
BACKGROUND = (255, 248, 240)
INK = (70, 60, 55)
GRID = (230, 220, 210)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # pragma: no cover - very old Pillow or no FreeType
        return ImageFont.load_default()


def history_chart(history: History) -> bytes:
    """Draw the member's moods per day as a PNG bar chart."""
    width, height = CHART_SIZE
    left, right, top, bottom = 110, 20, 40, 40
    image = Image.new("RGB", CHART_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    font, small = _font(14), _font(12)
    draw.text((left, 10), f"Your check-ins, last {history.days} days", fill=INK, font=font)
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_h / (len(MOODS) - 1)
    for m in MOODS:
        y = top + plot_h - (m.value - 1) * step
        draw.line([(left, y), (width - right, y)], fill=GRID, width=1)
        draw.text((10, y - 8), m.word, fill=INK, font=small)
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
        _label(draw, label_day, start, left, slot, height, small)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _label(
    draw: ImageDraw.ImageDraw,
    day: date,
    start: date,
    left: int,
    slot: float,
    height: int,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
) -> None:
    x = left + (day - start).days * slot
    draw.text((x, height - 30), day.strftime("%d %b"), fill=INK, font=font)
