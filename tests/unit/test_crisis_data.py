"""Start-up checks of the crisis data: shipped files load, malformed ones stop start-up clearly."""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
from pathlib import Path

import pytest

from bot.__main__ import one_line
from bot.app import build
from bot.config import SHIPPED_DATA_DIR, ConfigError, Settings, load_settings
from bot.domain.crisis_detection import PhraseSetError
from bot.domain.helplines import DatasetError
from bot.domain.helplines_loader import CrisisData, load_crisis_data


def broken_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """Copy the shipped data folder and replace one piece of text in one file."""
    folder = tmp_path / "crisis-data"
    folder.mkdir()
    for file in ("helplines.yaml", "crisis_phrases.yaml"):
        shutil.copyfile(SHIPPED_DATA_DIR / file, folder / file)
    text = (folder / name).read_text(encoding="utf-8")
    assert old in text
    (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_shipped_crisis_data_loads() -> None:
    """The shipped helplines and phrases load and validate together."""
    data = load_crisis_data(SHIPPED_DATA_DIR)
    assert {"US", "GB", "AU", "SG", "IN"} <= set(data.helplines.codes)
    assert data.phrases.phrases


def test_an_unquoted_number_stops_loading_naming_the_entry(tmp_path: Path) -> None:
    """A number YAML reads as an integer is refused, naming the file, country and service."""
    folder = broken_copy(tmp_path, "helplines.yaml", "phone: '14416'", "phone: 14416")
    with pytest.raises(DatasetError) as caught:
        load_crisis_data(folder)
    assert caught.value.problems == (
        "helplines.yaml: countries[24] (IN) service 'Tele-MANAS (National Tele Mental Health "
        "Programme)': 'phone' must be a string, got the number 14416 (put it in quotes so YAML "
        "keeps it as written)",
    )


def test_a_misspelt_phrase_key_stops_loading(tmp_path: Path) -> None:
    """A phrase list with an unknown key is refused, naming the phrase."""
    folder = broken_copy(
        tmp_path,
        "crisis_phrases.yaml",
        "        unless_before: [[you]",
        "        unles_before: [[you]",
    )
    with pytest.raises(PhraseSetError, match=r"en-want-to-die\): unknown key 'unles_before'"):
        load_crisis_data(folder)


def test_build_refuses_malformed_data_before_touching_the_database(tmp_path: Path) -> None:
    """The composition root loads the data first; a malformed file stops it."""
    folder = broken_copy(tmp_path, "helplines.yaml", "emergency: '112'", "emergency: 112")
    settings = Settings(
        discord_token="x",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'db' / 'h.db'}",
        data_dir=tmp_path,
        crisis_data_dir=folder,
    )
    with pytest.raises(DatasetError, match=r"countries\[4\] \(BE\): 'emergency' must be a string"):
        build(settings, autostart_jobs=False)
    assert not (tmp_path / "db").exists()


def test_crisis_data_folder_setting(tmp_path: Path) -> None:
    """HEARTH_CRISIS_DATA_DIR defaults to the shipped data and must be an existing folder."""
    env = {"DISCORD_TOKEN": "abc"}
    missing = tmp_path / "missing.env"
    assert load_settings(env, dotenv_path=missing).crisis_data_dir == SHIPPED_DATA_DIR
    chosen = load_settings({**env, "HEARTH_CRISIS_DATA_DIR": str(tmp_path)}, dotenv_path=missing)
    assert chosen.crisis_data_dir == tmp_path
    with pytest.raises(ConfigError, match="HEARTH_CRISIS_DATA_DIR must be an existing folder"):
        load_settings(
            {**env, "HEARTH_CRISIS_DATA_DIR": str(tmp_path / "nope")}, dotenv_path=missing
        )


def test_problems_are_reported_on_one_line() -> None:
    """The first problem is printed on one line, with how many more there are."""
    assert one_line(("a: b",)) == "a: b"
    assert one_line(("a:\n b", "c")) == "a: b (and 1 more problem)"
    assert one_line(("a", "b", "c")) == "a (and 2 more problems)"


def test_debug_logging_never_includes_raw_gateway_events_or_sql_parameters() -> None:
    """Even at DEBUG: no gateway or HTTP traffic (identities), no SQL parameters (notes, ids)."""
    from bot.ops.logs import configure_logging

    names = ("", "discord.gateway", "discord.http", "apscheduler", "aiosqlite", "sqlalchemy")
    root = logging.getLogger()
    before = {name: logging.getLogger(name).level for name in names}
    handlers = list(root.handlers)
    try:
        configure_logging(logging.DEBUG)
        assert logging.getLogger("discord.gateway").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("discord.http").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("aiosqlite").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() >= logging.WARNING
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)
        root.handlers[:] = handlers


async def test_run_reads_the_datasets_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started without data, run() reads and checks the datasets in a worker thread."""
    from bot import app

    threads: list[threading.Thread] = []

    def load(settings: Settings) -> CrisisData:
        threads.append(threading.current_thread())
        return load_crisis_data(SHIPPED_DATA_DIR)

    async def unreachable(settings: Settings, stopping: asyncio.Event) -> bool:
        return False  # stop right after the data is loaded

    monkeypatch.setattr(app, "load_data", load)
    monkeypatch.setattr(app, "_migrate_when_reachable", unreachable)
    settings = Settings(
        discord_token="x",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'h.db'}",
        data_dir=tmp_path,
    )
    await app.run(settings)
    assert len(threads) == 1
    assert threads[0] is not threading.current_thread(), "the datasets were read on the loop"
