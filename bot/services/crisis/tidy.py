"""The hourly `crisis.tidy` job: erase old check-in requests and share limits that ran out."""

from __future__ import annotations

import logging

from bot.services.crisis.service import CrisisService

log = logging.getLogger(__name__)

TIDY_JOB = "crisis.tidy"
TIDY_SECONDS = 3600


class CrisisTidy:
    """Erases what the crisis signpost no longer needs to keep."""

    def __init__(self, crisis: CrisisService) -> None:
        self._crisis = crisis

    async def run(self) -> None:
        """Erase requests past their retention and limits that have run out."""
        removed = await self._crisis.tidy()
        if removed:
            log.info("Tidied %d crisis records", removed)
