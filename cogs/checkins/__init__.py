"""The check-ins extension."""

from cogs.checkins._cog import setup

__all__ = ["setup"]
