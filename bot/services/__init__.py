"""Use-cases: each call is one unit of work and returns frozen values."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import SHIPPED_DATA_DIR
from bot.db.engine import SessionFactory
from bot.db.erasure import Erasure
from bot.domain.helplines_loader import CrisisData
from bot.services.agreement import AgreementService
from bot.services.app_state import AppStateService
from bot.services.audit import AuditService
from bot.services.checkins import (
    CheckinDataRights,
    CheckinModeration,
    CheckinReminders,
    CheckinService,
    DeliveryQueue,
)
from bot.services.circles import CircleService
from bot.services.crisis import CrisisService, crisis_data_from
from bot.services.data_rights import DataRightsService
from bot.services.pairing import Matcher, PairingService
from bot.services.settings import SettingsService


@dataclass(frozen=True)
class Services:
    """Every service the cogs may use, built once at start-up."""

    clock: Clock
    app_state: AppStateService
    audit: AuditService
    settings: SettingsService
    agreement: AgreementService
    data_rights: DataRightsService
    crisis: CrisisService
    checkins: CheckinService
    checkin_moderation: CheckinModeration
    checkin_reminders: CheckinReminders
    checkin_queue: DeliveryQueue
    circles: CircleService
    pairing: PairingService

    async def close(self) -> None:
        """Release what services hold outside the database (pairing's worker process)."""
        await self.pairing.close()


def build_services(
    sessions: SessionFactory,
    clock: Clock,
    crisis_data: CrisisData | None = None,
    reads: SessionFactory | None = None,
    matcher: Matcher | None = None,
) -> Services:
    """Wire the services together (the composition root calls this once).

    Without `crisis_data`, the shipped helplines and phrase list are loaded and validated
    (once per process); a malformed file raises DatasetError or PhraseSetError. Without
    `matcher`, pairing rounds are matched in a worker process (`close()` stops it).
    """
    crisis_data = crisis_data or crisis_data_from(SHIPPED_DATA_DIR)
    audit = AuditService(clock)
    settings = SettingsService(sessions, clock, audit, reads)
    agreement = AgreementService(sessions, clock, audit, reads)
    crisis = CrisisService(sessions, clock, audit, crisis_data, reads)
    erasure = Erasure(sessions.kw["bind"])
    checkins = CheckinService(
        sessions, clock, audit, agreement, crisis, erasure=erasure, reads=reads
    )
    # Posting and delivery take turns at one gate (see CheckinService.gate).
    checkin_queue = DeliveryQueue(sessions, clock, checkins.gate, erasure=erasure)
    circles = CircleService(sessions, clock, audit, agreement, reads)
    data_rights = DataRightsService(sessions, clock, erasure)
    data_rights.register(agreement)
    data_rights.register(crisis)
    data_rights.register(CheckinDataRights(clock))
    data_rights.register(circles)
    pairing = PairingService(sessions, clock, audit, agreement, reads, matcher=matcher)
    data_rights.register(pairing)
    data_rights.register(audit)
    return Services(
        clock=clock,
        app_state=AppStateService(sessions, clock),
        audit=audit,
        settings=settings,
        agreement=agreement,
        data_rights=data_rights,
        crisis=crisis,
        checkins=checkins,
        checkin_moderation=CheckinModeration(sessions, clock, audit, erasure),
        checkin_reminders=CheckinReminders(sessions, clock),
        checkin_queue=checkin_queue,
        circles=circles,
        pairing=pairing,
    )
