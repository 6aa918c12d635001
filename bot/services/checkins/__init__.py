"""Anonymous check-ins: posting, undo, limits, moderation, reveal, history, reminders, delivery."""

from bot.services.checkins.queue import CheckinDeliveryService
from bot.services.checkins.service import CheckinService

__all__ = ["CheckinDeliveryService", "CheckinService"]
