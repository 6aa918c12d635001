"""The group agreement."""

from bot.services.agreement.service import *  # noqa: F403
