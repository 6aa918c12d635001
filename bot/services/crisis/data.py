"""Loading the crisis datasets (helplines and phrases) once per process."""

from __future__ import annotations

import functools
from pathlib import Path

from bot.domain.helplines_loader import CrisisData, load_crisis_data


@functools.cache
def _cached_crisis_data(folder: str) -> CrisisData:
    return load_crisis_data(folder)


def crisis_data_from(folder: str | Path) -> CrisisData:
    """Load and validate the crisis data in folder once per process (it never changes while running).

    This reads and checks two YAML files (tens of milliseconds): call it before the event loop
    starts, or through `asyncio.to_thread`.
    """
    return _cached_crisis_data(str(Path(folder).resolve()))
