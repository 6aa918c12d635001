"""The member role: granted on accepting, taken back when a grace period ends (`agreement.grace`)."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.services.agreement.service import AgreementService
from bot.services.agreement.values import AcceptOutcome, RoleGrant

log = logging.getLogger(__name__)

GRACE_JOB = "agreement.grace"
GRACE_SECONDS = 300

GRANT_REASON = "Accepted the group agreement"
TAKE_BACK_REASON = "Grace period ended before the new agreement was accepted"


class RolePort(Protocol):
    """The Discord side: giving and taking back one member's role."""

    async def add_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> bool:
        """Give the member the role; return False if Discord refused or they are gone."""
        ...

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> bool:
        """Take the role back; return False if Discord refused or they are gone."""
        ...


class MemberRoles:
    """Grants and takes back the member role as the agreement ledger decides."""

    def __init__(self, agreement: AgreementService, port: RolePort) -> None:
        self._agreement = agreement
        self._port = port

    async def grant(self, guild_id: int, user_id: int, outcome: AcceptOutcome) -> RoleGrant:
        """Give the role if accepting claimed it; on failure let the next accept try again."""
        role_id = outcome.member_role_id
        if role_id is None:
            return RoleGrant.NO_ROLE
        if not outcome.grant_role:
            return RoleGrant.UNCHANGED
        if await self._port.add_role(guild_id, user_id, role_id, GRANT_REASON):
            return RoleGrant.GRANTED
        await self._agreement.grant_failed(guild_id, user_id)
        log.warning("Could not grant the member role in guild %s", guild_id)
        return RoleGrant.FAILED

    async def take_back(self) -> None:
        """Remove the member role where the grace period ended without re-acceptance."""
        for removal in await self._agreement.claim_role_removals():
            if not await self._port.remove_role(
                removal.guild_id, removal.user_id, removal.role_id, TAKE_BACK_REASON
            ):
                log.warning("Could not take back a member role in guild %s", removal.guild_id)
