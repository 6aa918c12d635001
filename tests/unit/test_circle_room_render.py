"""What the talking order and the feedback summary say, rendered without Discord."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.i18n import ENGLISH, language
from bot.services.circles import FeedbackResults, TalkingOrder
from cogs.circles._render import order_text, results_text

CLOSES = datetime(2030, 1, 16, 21, 0, tzinfo=UTC)


ENGLISH_WORDS = language(ENGLISH)


def _order(**changes: object) -> TalkingOrder:
    values: dict = {
        "occurrence_id": 1,
        "circle_id": 2,
        "index": 0,
        "guild_id": 3,
        "title": "Tuesday circle",
        "voice_channel_id": 4,
        "speaker_id": None,
        "waiting": (),
        "notes_waiting": 0,
        "is_open": True,
        "queue_channel_id": 4,
        "queue_message_id": 5,
    }
    values.update(changes)
    return TalkingOrder(**values)


def _results(**changes: object) -> FeedbackResults:
    values: dict = {
        "title": "Tuesday circle",
        "local_date": date(2030, 1, 15),
        "count": 0,
        "needed": 5,
        "closes_at": CLOSES,
        "ready": False,
    }
    values.update(changes)
    return FeedbackResults(**values)


def test_the_talking_order_lists_hands_in_order_and_counts_notes_without_names() -> None:
    """Waiting hands are numbered in order; notes are only counted."""
    text = order_text(ENGLISH_WORDS, _order(speaker_id=7, waiting=(8, 9), notes_waiting=2), None)
    assert "Speaking now: <@7>" in text
    assert "1. <@8>\n2. <@9>" in text
    assert "2 written notes waiting" in text


def test_a_closed_talking_order_says_so_and_lists_nobody() -> None:
    """After close the message keeps no names."""
    text = order_text(ENGLISH_WORDS, _order(is_open=False, waiting=(8,)), None)
    assert "has closed" in text and "<@8>" not in text


def test_feedback_below_k_says_how_many_more_and_nothing_else() -> None:
    """Below the threshold only the count and how many more are needed are shown."""
    text = results_text(ENGLISH_WORDS, _results(count=3, needed=2), 5)
    assert "3 answered so far" in text and "2 more needed" in text
    assert "average" not in text


def test_feedback_at_k_waits_for_the_close() -> None:
    """From k answers but before feedback closes, no totals yet."""
    text = results_text(ENGLISH_WORDS, _results(count=5, needed=0), 5)
    assert "once feedback closes" in text and "average" not in text


def test_ready_feedback_shows_the_average_spread_and_words() -> None:
    """Once ready: count, average, a line per rating and the words."""
    results = _results(
        count=4, needed=0, ready=True, ratings=(0, 0, 1, 1, 2), words=("Kind.", "Too short.")
    )
    text = results_text(ENGLISH_WORDS, results, 4)
    assert "4 answers · average **4.2** / 5" in text
    assert "5 ★★★★★: 2" in text and "1 ★: 0" in text
    assert "> Kind." in text and "> Too short." in text
