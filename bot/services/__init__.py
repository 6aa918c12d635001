"""Use-cases: each call is one unit of work and returns frozen values."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.services.agreement import AgreementService
from bot.services.audit import AuditService
from bot.services.data_rights import DataRightsService
from bot.services.settings import SettingsService


@dataclass(frozen=True)
class Services:
    """Every service the cogs may use, built once at start-up."""

    clock: Clock
    audit: AuditService
    settings: SettingsService
    agreement: AgreementService
    data_rights: DataRightsService


def build_services(sessions: SessionFactory, clock: Clock) -> Services:
    """Wire the services together (the composition root calls this once)."""
    audit = AuditService(clock)
    settings = SettingsService(sessions, clock, audit)
    agreement = AgreementService(sessions, clock, audit)
    data_rights = DataRightsService(sessions, clock)
    data_rights.register(agreement)
    data_rights.register(audit)
    return Services(
        clock=clock, audit=audit, settings=settings, agreement=agreement, data_rights=data_rights
    )
