"""Settings read once from the environment and an optional `.env` file."""

from __future__ import annotations

import importlib.util
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
SHIPPED_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
"""The crisis datasets that ship with Hearth (helplines.yaml, crisis_phrases.yaml)."""


class ConfigError(Exception):
    """A missing or malformed setting; the message is one line and never contains the token."""


@dataclass(frozen=True)
class Settings:
    """Everything Hearth reads from its environment."""

    discord_token: str = field(repr=False)
    database_url: str
    data_dir: Path
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    api_base: str | None = None
    gateway_url: str | None = None
    guild_ready_timeout: float = 2.0
    dm_interval_seconds: float = 1.0
    crisis_data_dir: Path = SHIPPED_DATA_DIR
    log_format: str = "text"
    http_host: str = "127.0.0.1"
    http_port: int | None = None

    @property
    def log_level_number(self) -> int:
        """Return the numeric logging level."""
        return logging.getLevelNamesMapping()[self.log_level]


def read_environment(
    env: Mapping[str, str] | None = None, dotenv_path: str | Path = ".env"
) -> dict:
    """Merge `.env` (if present) under the real environment; the environment wins."""
    merged: dict[str, str] = {}
    path = Path(dotenv_path)
    if path.is_file():
        merged.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    merged.update(os.environ if env is None else env)
    return merged


# The engines Hearth runs on, by the URL schemes people write for them.
DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
DRIVER_MODULES = {"sqlite+aiosqlite": "aiosqlite", "postgresql+asyncpg": "asyncpg"}
URL_EXAMPLES = (
    "sqlite+aiosqlite:///path/to/hearth.db or postgresql+asyncpg://user:password@host/hearth"
)


def database_url_from(values: Mapping[str, str]) -> str:
    """Return DATABASE_URL (with its async driver), or the default SQLite file."""
    url = values.get("DATABASE_URL", "").strip()
    if not url:
        data_dir = Path(values.get("HEARTH_DATA_DIR", "").strip() or "./data")
        return f"sqlite+aiosqlite:///{data_dir / 'hearth.db'}"
    scheme, separator, rest = url.partition("://")
    if not separator:
        raise ConfigError(f"DATABASE_URL must look like {URL_EXAMPLES}")
    driver = DRIVERS.get(scheme.lower())
    if driver is None:
        engine = scheme.split("+")[0].lower()
        if engine in ("sqlite", "postgres", "postgresql"):
            raise ConfigError(
                f"DATABASE_URL names a driver Hearth doesn't use ({scheme}): write {URL_EXAMPLES}"
            )
        raise ConfigError(
            f"DATABASE_URL must be SQLite or PostgreSQL ({scheme} isn't supported): "
            f"write {URL_EXAMPLES}"
        )
    return f"{driver}://{rest}"


def _optional_int(values: Mapping[str, str], key: str) -> int | None:
    raw = values.get(key, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ConfigError(f"{key} must be a numeric Discord id (got something else)")
    return int(raw)


def _port(values: Mapping[str, str], key: str) -> int | None:
    raw = values.get(key, "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ConfigError(f"{key} must be a port number from 1 to 65535")
    return int(raw)


def _float(values: Mapping[str, str], key: str, default: float) -> float:
    raw = values.get(key, "").strip()
    if not raw:
        return default
    try:
        number = float(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a number of seconds") from None
    if number < 0:
        raise ConfigError(f"{key} must not be negative")
    return number


def _url(values: Mapping[str, str], key: str, schemes: tuple[str, ...]) -> str | None:
    raw = values.get(key, "").strip()
    if not raw:
        return None
    if not raw.startswith(schemes):
        raise ConfigError(f"{key} must start with {' or '.join(schemes)}")
    return raw.rstrip("/")


def _folder(values: Mapping[str, str], key: str, default: Path) -> Path:
    raw = values.get(key, "").strip()
    if not raw:
        return default
    folder = Path(raw).expanduser()
    if not folder.is_dir():
        raise ConfigError(f"{key} must be an existing folder (got {raw})")
    return folder


def check_environment(settings: Settings) -> None:
    """Raise ConfigError if this machine can't run these settings (driver, writable folders)."""
    driver = settings.database_url.partition("://")[0]
    module = DRIVER_MODULES.get(driver)
    if module is not None and importlib.util.find_spec(module) is None:
        extra = " (pip install 'hearth[postgres]')" if module == "asyncpg" else ""
        raise ConfigError(f"DATABASE_URL needs the {module} package, which isn't installed{extra}")
    folders = [settings.data_dir]
    if driver == "sqlite+aiosqlite":
        path = settings.database_url.partition(":///")[2]
        if path and path != ":memory:":
            folders.append(Path(path).expanduser().parent)
    for folder in dict.fromkeys(folders):
        _require_writable(folder)


def _require_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigError(
            f"Hearth can't write to the folder {folder} ({reason}): set HEARTH_DATA_DIR to a "
            "folder this user may write to"
        ) from None


def load_settings(
    env: Mapping[str, str] | None = None,
    dotenv_path: str | Path = ".env",
    *,
    require_token: bool = True,
) -> Settings:
    """Read and validate the settings; raise ConfigError with one clear line.

    `require_token=False` is for commands that do not connect (check, backup).
    """
    values = read_environment(env, dotenv_path)
    token = values.get("DISCORD_TOKEN", "").strip()
    if not token and require_token:
        raise ConfigError("DISCORD_TOKEN is not set: put the bot token in the environment or .env")
    if any(ch.isspace() for ch in token):
        raise ConfigError("DISCORD_TOKEN must not contain spaces")
    level = values.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    api_base = _url(values, "HEARTH_DISCORD_API_BASE", ("http://", "https://"))
    gateway = _url(values, "HEARTH_DISCORD_GATEWAY_URL", ("ws://", "wss://"))
    if (api_base is None) != (gateway is None):
        raise ConfigError(
            "HEARTH_DISCORD_API_BASE and HEARTH_DISCORD_GATEWAY_URL must be set together"
        )
    log_format = values.get("LOG_FORMAT", "text").strip().lower() or "text"
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    return Settings(
        discord_token=token,
        database_url=database_url_from(values),
        data_dir=Path(values.get("HEARTH_DATA_DIR", "").strip() or "./data"),
        dev_guild_id=_optional_int(values, "DEV_GUILD_ID"),
        log_level=level,
        api_base=api_base,
        gateway_url=gateway,
        guild_ready_timeout=_float(values, "HEARTH_GUILD_READY_TIMEOUT", 2.0),
        dm_interval_seconds=_float(values, "HEARTH_DM_INTERVAL", 1.0),
        crisis_data_dir=_folder(values, "HEARTH_CRISIS_DATA_DIR", SHIPPED_DATA_DIR),
        log_format=log_format,
        http_host=values.get("HEARTH_HTTP_HOST", "").strip() or "127.0.0.1",
        http_port=_port(values, "HEARTH_HTTP_PORT"),
    )
