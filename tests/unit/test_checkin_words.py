"""The check-in cog's words in each language: reminder days, history, and the chart's letters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.i18n import language
from bot.services.checkins import History
from cogs.checkins._render import _plain, days_words, history_chart, history_words

TODAY = date(2026, 1, 30)


@pytest.mark.parametrize(
    ("code", "days", "said"),
    [
        ("en", frozenset(range(7)), "every day"),
        ("en", frozenset({0, 3}), "on Mon and Thu"),
        ("es", frozenset(range(5)), "entre semana"),
        ("fr", frozenset({5, 6}), "le week-end"),
        ("de", frozenset({0, 3}), "am Mo. und Do."),
    ],
)
def test_reminder_days_are_said_in_the_readers_language(
    code: str, days: frozenset[int], said: str
) -> None:
    """Weekday sets read as words of the language, day names from Babel."""
    assert days_words(days, language(code)) == said


def test_history_words_name_the_usual_mood_in_the_language() -> None:
    """The most common mood, and on how many days, in Portuguese; nothing yet in English."""
    entries = tuple((TODAY - timedelta(days=i), 3) for i in range(4))
    kept = History(True, 30, TODAY, entries)
    assert history_words(kept, language("pt_BR")) == (
        "Na maioria dos dias deste mês: Mais ou menos (você fez check-in em 4 dias)."
    )
    assert history_words(History(True, 90, TODAY, ()), language("en")) == (
        "No check-ins in the last 90 days yet."
    )


def test_a_font_without_accents_gets_plain_letters() -> None:
    """Without a font that has them, accents are dropped rather than drawn as boxes."""
    assert (
        _plain("Très bien · Ça va · Übersicht · Straße")
        == "Tres bien · Ca va · Ubersicht · Strasse"
    )


def test_the_chart_draws_in_every_shipped_language() -> None:
    """The chart is a PNG whatever the language."""
    history = History(True, 30, TODAY, ((TODAY, 1), (TODAY - timedelta(days=3), 5)))
    for code in ("en", "es", "fr", "de", "pt_BR"):
        assert history_chart(history, language(code)).startswith(b"\x89PNG")
