"""The sandbox's pure parts: its clock, how far ahead it says it is, the tour's times, the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bot.__main__ as cli
from bot.sandbox import run as sandbox_run
from bot.sandbox.clock import SandboxClock, describe_offset
from bot.sandbox.runner import STEP, cadence
from bot.sandbox.tour import FACILITATOR_ZONE, circle_start

# Hypothesis wants naive bounds for aware datetimes.
EARLIEST = datetime(2025, 1, 1, tzinfo=UTC).replace(tzinfo=None)
LATEST = datetime(2035, 1, 1, tzinfo=UTC).replace(tzinfo=None)


def test_the_clock_runs_ahead_by_its_offset_and_only_forward() -> None:
    """now() is the system's time plus the offset; it never goes back."""
    clock = SandboxClock(timedelta(hours=2))
    assert abs(clock.now() - datetime.now(UTC) - timedelta(hours=2)) < timedelta(seconds=1)
    clock.advance(timedelta(days=1))
    assert clock.offset == timedelta(days=1, hours=2)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        SandboxClock(timedelta(seconds=-1))


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        (timedelta(0), ""),
        (timedelta(minutes=15), "15 min ahead"),
        (timedelta(hours=1, minutes=15), "1 hour 15 min ahead"),
        (timedelta(days=7), "7 days ahead"),
        (timedelta(days=2, hours=3, minutes=5), "2 days 3 hours ahead"),
    ],
)
def test_the_offset_is_said_in_words(offset: timedelta, words: str) -> None:
    """The page says how far ahead the sandbox runs, in at most two units."""
    assert describe_offset(offset) == words


@given(st.datetimes(min_value=EARLIEST, max_value=LATEST, timezones=st.just(UTC)))
def test_the_tour_circle_starts_45_to_60_minutes_ahead_on_a_quarter_hour(now: datetime) -> None:
    """The tour suggests a start the facilitator can open after a few 15-minute skips."""
    start = circle_start(now)
    assert start.tzinfo == ZoneInfo(FACILITATOR_ZONE)
    assert timedelta(minutes=45) <= start - now < timedelta(minutes=60)
    assert start.minute % 15 == 0 and start.second == 0


def test_frequent_jobs_run_every_step_and_housekeeping_hourly() -> None:
    """A job registered every minute runs each 15 minutes of a skip; every 5 minutes or more: hourly."""
    assert cadence(5) == cadence(60) == STEP
    assert cadence(300) == cadence(3600) == timedelta(hours=1)


def test_help_works(capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m bot --help` lists run and sandbox and exits 0."""
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "run" in out and "sandbox" in out


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple]:
    """Record which of run and sandbox main() chooses (in a folder without .env)."""
    made: list[tuple] = []
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setattr(cli, "run_bot", lambda: made.append(("run",)) or 0)
    monkeypatch.setattr(
        sandbox_run,
        "main",
        lambda port=None, fresh=False: made.append(("sandbox", port, fresh)) or 0,
    )
    return made


def test_without_a_token_the_default_is_the_sandbox(calls: list[tuple]) -> None:
    """No DISCORD_TOKEN in the environment or .env: `python -m bot` starts the sandbox."""
    assert cli.main([]) == 0
    assert calls == [("sandbox", None, False)]


def test_with_a_token_in_dotenv_the_default_is_run(calls: list[tuple], tmp_path: Path) -> None:
    """A token in .env keeps today's behaviour: `python -m bot` runs the bot."""
    (tmp_path / ".env").write_text("DISCORD_TOKEN=abc\n")
    assert cli.main([]) == 0
    assert calls == [("run",)]


def test_sandbox_and_run_can_be_asked_for(calls: list[tuple]) -> None:
    """`sandbox --port N --fresh` and `run` do what they say, token or not."""
    cli.main(["sandbox", "--port", "9000", "--fresh"])
    cli.main(["run"])
    assert calls == [("sandbox", 9000, True), ("run",)]
