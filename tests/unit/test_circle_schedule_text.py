"""A circle's schedule in the reader's words (rendered by the cog from the domain's values)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.recurrence import Rule
from bot.i18n import ENGLISH, language
from cogs.circles._schedule import duration_text, schedule_text
from tests.unit.recurrence_cases import LONDON, make


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        (
            {"rule": Rule.ONE_OFF},
            "Once, on Tuesday, March 5, 2024, at 19:00 (America/New_York) for 1 hour 30 minutes",
        ),
        (
            {"count": 10},
            "Every Tuesday at 19:00 (America/New_York) for 1 hour 30 minutes, 10 meetings in all",
        ),
        (
            {"rule": Rule.BIWEEKLY, "until": date(2024, 6, 25)},
            "Every other Tuesday at 19:00 (America/New_York) for 1 hour 30 minutes, "
            "until Tuesday, June 25, 2024",
        ),
        (
            {"rule": Rule.MONTHLY_BY_WEEKDAY, "first_date": date(2024, 3, 12), "zone": LONDON},
            "Every second Tuesday of the month at 19:00 (Europe/London) for 1 hour 30 minutes",
        ),
    ],
)
def test_describe_says_how_often_and_when(changes: dict[str, object], text: str) -> None:
    """Describe the schedule in a plain sentence."""
    assert schedule_text(language(ENGLISH), make(**changes)) == text


def test_a_schedule_reads_in_french_with_babels_weekdays_and_dates() -> None:
    """French gets French words, weekday and date as Babel writes them."""
    french = language("fr")
    text = schedule_text(french, make(rule=Rule.BIWEEKLY, until=date(2024, 6, 25)))
    assert text.startswith(
        "Un mardi sur deux à 19:00 (America/New_York) pendant 1 heure 30 minutes"
    )
    assert "25 juin 2024" in text


def test_a_duration_counts_days_hours_and_minutes() -> None:
    """Say each unit with its plural; under a minute in words."""
    english = language(ENGLISH)
    assert duration_text(english, timedelta(days=1, minutes=1)) == "1 day 1 minute"
    assert duration_text(english, timedelta(seconds=30)) == "less than a minute"
