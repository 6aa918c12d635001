"""Errors that carry a kind, safe message for the member."""

from __future__ import annotations


class UserError(Exception):
    """A problem the member can understand and act on; `message` is shown to them privately."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotConfigured(UserError):
    """The server has not been set up for this yet."""


class NotAllowed(UserError):
    """The member lacks the role or permission this needs."""


class NotFound(UserError):
    """The thing asked for does not exist (any more)."""


class InvalidInput(UserError):
    """What the member typed or picked cannot be used."""


class AgreementRequired(UserError):
    """The member must accept the current group agreement first."""

    def __init__(self, message: str, *, guild_id: int) -> None:
        super().__init__(message)
        self.guild_id = guild_id


class RateLimited(UserError):
    """The member has done this too often for now."""
