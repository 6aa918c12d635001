"""The crisis signpost."""

from bot.services.crisis.service import *  # noqa: F403
