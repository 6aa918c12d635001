"""Pure check-in rules: pseudonyms, safe text, delays, windows, summaries, reminders."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import checkins as d
from bot.domain.pseudonyms import ADJECTIVES, NOUNS, author_token, pseudonym

KEY_A, KEY_B = b"a" * 32, b"b" * 32


def test_token_is_stable_within_a_window_and_differs_across_windows() -> None:
    """The same member gets the same token under one key, another under the next key."""
    assert author_token(KEY_A, 1, 42) == author_token(KEY_A, 1, 42)
    assert author_token(KEY_A, 1, 42) != author_token(KEY_B, 1, 42)
    assert author_token(KEY_A, 1, 42) != author_token(KEY_A, 1, 43)
    assert author_token(KEY_A, 1, 42) != author_token(KEY_A, 2, 42)
    assert len(author_token(KEY_A, 1, 42)) == 32


def test_token_does_not_contain_the_ids() -> None:
    """A token is an HMAC: neither id appears in it, in any encoding."""
    token = author_token(KEY_A, 123456789012345678, 987654321098765432)
    for number in (123456789012345678, 987654321098765432):
        assert str(number).encode() not in token
        assert number.to_bytes(8, "big") not in token


def test_pseudonym_is_two_gentle_words_from_the_lists() -> None:
    """A pseudonym is an adjective and a noun, the same for the same token."""
    token = author_token(KEY_A, 1, 42)
    name = pseudonym(token)
    adjective, noun = name.split(" ")
    assert adjective in ADJECTIVES and noun in NOUNS
    assert pseudonym(token) == name
    assert pseudonym(token, 1) != name or pseudonym(token, 2) != name


def test_pseudonyms_spread_over_many_names() -> None:
    """Different members mostly get different names (collisions are resolved by the service)."""
    names = {pseudonym(author_token(KEY_A, 1, user)) for user in range(200)}
    assert len(names) > 190


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("hi @everyone", "hi @\u200beveryone"),
        ("@HERE now", "@\u200bHERE now"),
        ("ping <@123456>", "ping <\u200b@123456>"),
        ("nick <@!123456>", "nick <\u200b@!123456>"),
        ("role <@&42>", "role <\u200b@&42>"),
        ("chan <#42>", "chan <\u200b#42>"),
        ("cmd </checkin:42>", "cmd <\u200b/checkin:42>"),
        ("mail me@here.com", "mail me@\u200bhere.com"),
        ("see you there", "see you there"),
        ("plain <3 heart", "plain <3 heart"),
    ],
)
def test_neutralise_makes_mentions_inert(raw: str, shown: str) -> None:
    """Mention syntax and @everyone/@here cannot ping once shown."""
    assert d.neutralise(raw) == shown


def test_clean_note_tidies_and_limits() -> None:
    """Notes lose control characters and extra blank lines; empty is None; too long raises."""
    assert d.clean_note("  \n ") is None
    assert d.clean_note(None) is None
    assert d.clean_note("a\x00b\u200b\n\n\n\nc") == "ab\n\nc"
    assert d.clean_note("x" * 1000) == "x" * 1000
    with pytest.raises(ValueError, match="1000"):
        d.clean_note("x" * 1001)


def test_mood_scale_has_words() -> None:
    """The scale runs 1 (struggling) to 5 (doing well); anything else is refused."""
    assert d.mood(1).word == "struggling" and d.mood(5).word == "doing well"
    for bad in (0, 6, -1):
        with pytest.raises(ValueError):
            d.mood(bad)


def test_delivery_delay_is_random_within_the_setting_and_zero_when_off() -> None:
    """Delays fall in [0, max]; a max of 0 posts at once."""
    rng = random.Random(7)
    delays = [d.delivery_delay(180, rng) for _ in range(200)]
    assert all(timedelta(0) <= x <= timedelta(seconds=180) for x in delays)
    assert len({x.total_seconds() for x in delays}) > 150
    assert d.delivery_delay(0, rng) == timedelta(0)


def test_retry_delay_backs_off_up_to_ten_minutes() -> None:
    """Retries wait 10 s, 20 s, 40 s ... and never more than 10 minutes."""
    assert [d.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert d.retry_delay(30) == timedelta(minutes=10)


def test_windows_line_up_and_never_overlap() -> None:
    """Windows are aligned to a Monday epoch; a new one never starts before the last ended."""
    now = datetime(2026, 1, 7, 15, tzinfo=UTC)  # a Wednesday
    start, end = d.window_bounds(now, 7)
    assert start == datetime(2026, 1, 5, tzinfo=UTC) and end - start == timedelta(days=7)
    later_start, _ = d.window_bounds(now, 14, not_before=end)
    assert later_start >= end or later_start == end
    start2, end2 = d.window_bounds(now, 14, not_before=datetime(2026, 1, 6, tzinfo=UTC))
    assert start2 == datetime(2026, 1, 6, tzinfo=UTC) and end2 > now


def test_public_ref_uses_unambiguous_characters() -> None:
    """References avoid 0/O and 1/I/L look-alikes."""
    ref = d.public_ref(b"\xff" * 8)
    assert len(ref) == 6 and set(ref) <= set(d.REF_ALPHABET)
    assert not set("01IOL") & set(d.REF_ALPHABET)


def test_summary_needs_k_members() -> None:
    """The distribution shows only from k different members."""
    assert d.community_summary([1, 2, 3, 3], members=4, k=5) is None
    summary = d.community_summary([1, 3, 3, 5, 5, 5], members=5, k=5)
    assert summary is not None
    assert summary.counts == (1, 0, 2, 0, 3) and summary.total == 6


def test_history_overview_names_the_most_common_mood() -> None:
    """The mood most days had, over the period, and on how many days."""
    today = date(2026, 1, 30)
    entries = [(today - timedelta(days=i), 3) for i in range(5)] + [
        (today, 5),
        (date(2026, 1, 2), 1),
    ]
    assert d.history_overview(entries, today, 30) == d.HistoryOverview(6, 3)
    assert d.history_overview([], today, 30) == d.HistoryOverview(0, None)
    assert d.history_overview(entries, today, 7) == d.HistoryOverview(5, 3)


def test_daily_moods_round_half_down() -> None:
    """Two check-ins on one day, 2 and 3, read as 2 (the gentler reading)."""
    day = date(2026, 1, 1)
    assert d.daily_moods([(day, 2), (day, 3)]) == {day: 2}
    assert d.daily_moods([(day, 2), (day, 4), (day, 5)]) == {day: 4}


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("daily", set(range(7))),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("Weekends", {5, 6}),
        ("mon, thu", {0, 3}),
        ("Monday Friday", {0, 4}),
    ],
)
def test_parse_days(text: str, days: set[int]) -> None:
    """Day choices are read kindly."""
    assert d.parse_days(text) == frozenset(days)


@pytest.mark.parametrize("bad", ["", "someday", "t"])
def test_parse_days_refuses_nonsense(bad: str) -> None:
    """Unknown or ambiguous days are refused."""
    with pytest.raises(ValueError):
        d.parse_days(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:30", time(8, 30)),
        ("8pm", time(20)),
        ("12am", time(0)),
        ("20h", time(20)),
        ("7.05", time(7, 5)),
    ],
)
def test_parse_clock(text: str, expected: time) -> None:
    """Local times in common forms."""
    assert d.parse_clock(text) == expected


def test_next_reminder_in_local_time_on_chosen_days() -> None:
    """The next slot is the local time on a chosen weekday, strictly after now."""
    london = ZoneInfo("Europe/London")
    now = datetime(2026, 1, 5, 12, tzinfo=UTC)  # Monday noon
    assert d.next_reminder(now, london, time(9), frozenset(range(7))) == datetime(
        2026, 1, 6, 9, tzinfo=UTC
    )
    assert d.next_reminder(now, london, time(13), frozenset(range(7))) == datetime(
        2026, 1, 5, 13, tzinfo=UTC
    )
    assert d.next_reminder(now, london, time(9), frozenset({4})) == datetime(
        2026, 1, 9, 9, tzinfo=UTC
    )


def test_next_reminder_across_daylight_saving() -> None:
    """A skipped local time falls just after the gap; a repeated one happens once."""
    london = ZoneInfo("Europe/London")
    before_spring = datetime(2026, 3, 28, 12, tzinfo=UTC)  # clocks go forward 29 March 01:00
    slot = d.next_reminder(before_spring, london, time(1, 30), frozenset(range(7)))
    assert slot == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST, just after the gap
    before_autumn = datetime(2026, 10, 24, 12, tzinfo=UTC)  # clocks go back 25 October 02:00
    first = d.next_reminder(before_autumn, london, time(1, 30), frozenset(range(7)))
    second = d.next_reminder(first, london, time(1, 30), frozenset(range(7)))
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert second == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_next_reminder_refuses_naive_times() -> None:
    """Times are aware, always."""
    with pytest.raises(ValueError):
        d.next_reminder(datetime(2026, 1, 1), ZoneInfo("UTC"), time(9), frozenset({0}))  # noqa: DTZ001


SPANISH_DAYS = {
    "lunes": frozenset({0}),
    "lun": frozenset({0}),
    "miércoles": frozenset({2}),
    "mié": frozenset({2}),
    "jueves": frozenset({3}),
    "jue": frozenset({3}),
    "entre semana": frozenset(range(5)),
}


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("lun, mié", {0, 2}),
        ("Lunes Jueves", {0, 3}),
        ("mie", {2}),  # without its accent
        ("Mié.", {2}),  # as Babel writes it short
        ("entre semana", set(range(5))),
        ("mon, jue", {0, 3}),  # English still reads alongside
        ("weekends", {5, 6}),
    ],
)
def test_days_are_read_in_the_members_language_too(typed: str, days: set[int]) -> None:
    """A member may type their own language's day names and words; English still works."""
    assert d.parse_days(typed, SPANISH_DAYS) == days


def test_a_word_that_is_no_day_in_either_language_is_refused() -> None:
    """Words that name no day (in English or the member's language) get the kind refusal."""
    with pytest.raises(ValueError, match="unknown day"):
        d.parse_days("lun, mañana", SPANISH_DAYS)
