"""Settings: defaults, validation, and a token that never leaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, check_environment, load_settings

TOKEN = "abc.def.ghi"


def load(tmp_path: Path, **env: str):
    """Load settings from exactly this environment (no .env)."""
    return load_settings(env, dotenv_path=tmp_path / "missing.env")


def test_defaults_put_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    """Without DATABASE_URL the database is a SQLite file under HEARTH_DATA_DIR."""
    settings = load(tmp_path, DISCORD_TOKEN=TOKEN, HEARTH_DATA_DIR="/srv/hearth")
    assert settings.database_url == "sqlite+aiosqlite:////srv/hearth/hearth.db"
    assert settings.dev_guild_id is None and settings.log_level == "INFO"


def test_token_is_never_in_the_repr(tmp_path: Path) -> None:
    """Printing the settings does not show the token."""
    assert TOKEN not in repr(load(tmp_path, DISCORD_TOKEN=TOKEN))


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    """Values come from .env unless the environment sets them."""
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"DISCORD_TOKEN={TOKEN}\nLOG_LEVEL=DEBUG\nDEV_GUILD_ID=42\n")
    settings = load_settings({"LOG_LEVEL": "warning"}, dotenv_path=dotenv)
    assert (settings.log_level, settings.dev_guild_id) == ("WARNING", 42)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": TOKEN, "DEV_GUILD_ID": "abc"}, "DEV_GUILD_ID must be a numeric"),
        ({"DISCORD_TOKEN": TOKEN, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of"),
        ({"DISCORD_TOKEN": TOKEN, "DATABASE_URL": "hearth.db"}, "DATABASE_URL must look like"),
        (
            {"DISCORD_TOKEN": TOKEN, "HEARTH_DISCORD_API_BASE": "http://x/api/v10"},
            "must be set together",
        ),
        (
            {
                "DISCORD_TOKEN": TOKEN,
                "HEARTH_DISCORD_API_BASE": "x",
                "HEARTH_DISCORD_GATEWAY_URL": "ws://x",
            },
            "must start with",
        ),
        ({"DISCORD_TOKEN": TOKEN, "HEARTH_GUILD_READY_TIMEOUT": "soon"}, "must be a number"),
    ],
)
def test_malformed_values_give_one_clear_line(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    """Each bad value gives one line naming the key, never the token."""
    with pytest.raises(ConfigError, match=message) as raised:
        load(tmp_path, **env)
    assert "\n" not in str(raised.value) and TOKEN not in str(raised.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////srv/h.db", "sqlite+aiosqlite:////srv/h.db"),
        ("postgres://u:p@db/hearth", "postgresql+asyncpg://u:p@db/hearth"),
        ("postgresql://u@db/hearth", "postgresql+asyncpg://u@db/hearth"),
        ("postgresql+asyncpg://u@db/hearth", "postgresql+asyncpg://u@db/hearth"),
    ],
)
def test_database_urls_get_the_async_driver(tmp_path: Path, url: str, expected: str) -> None:
    """The usual ways of writing a SQLite or PostgreSQL URL all work."""
    assert load(tmp_path, DISCORD_TOKEN=TOKEN, DATABASE_URL=url).database_url == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u:p@db/hearth", "must be SQLite or PostgreSQL (mysql isn't supported)"),
        ("postgresql+psycopg2://u@db/h", "names a driver Hearth doesn't use"),
    ],
)
def test_other_databases_are_refused_in_one_line(tmp_path: Path, url: str, message: str) -> None:
    """MySQL or another driver: one clear line, without the password."""
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, DISCORD_TOKEN=TOKEN, DATABASE_URL=url)
    assert message in str(raised.value) and "u:p" not in str(raised.value)


def test_a_missing_postgresql_driver_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL URL without asyncpg installed says how to install it."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "asyncpg" else real(name, *a)
    )
    settings = load(
        tmp_path,
        DISCORD_TOKEN=TOKEN,
        DATABASE_URL="postgresql://u@db/h",
        HEARTH_DATA_DIR=str(tmp_path),
    )
    with pytest.raises(ConfigError, match=r"asyncpg package, which isn't installed .*postgres"):
        check_environment(settings)


def test_a_folder_hearth_cannot_write_to_is_refused(tmp_path: Path) -> None:
    """A data folder that can't be created or written says so, with the folder."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = load(tmp_path, DISCORD_TOKEN=TOKEN, HEARTH_DATA_DIR=str(blocker / "data"))
    with pytest.raises(ConfigError, match="can't write to the folder"):
        check_environment(settings)


def test_a_writable_folder_is_made_if_missing(tmp_path: Path) -> None:
    """The data folder is created when it does not exist yet."""
    settings = load(tmp_path, DISCORD_TOKEN=TOKEN, HEARTH_DATA_DIR=str(tmp_path / "new"))
    check_environment(settings)
    assert (tmp_path / "new").is_dir()
