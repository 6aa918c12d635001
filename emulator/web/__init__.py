"""The practice client: a Discord-like page on 127.0.0.1 for acting in an emulator's world."""

from emulator.web.actions import PageError
from emulator.web.server import Host, WebUI

__all__ = ["Host", "PageError", "WebUI"]
