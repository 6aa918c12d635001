"""What the emulator keeps about REST traffic: recorded requests and injected faults."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RecordedRequest:
    """One REST call the bot made, as the emulator saw and answered it."""

    method: str
    path: str
    route: str | None
    json: Any
    headers: dict[str, str]
    status: int
    at: float
    query: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, bytes]] = field(default_factory=list)
    response: Any = None

    @property
    def reason(self) -> str | None:
        """Return the decoded X-Audit-Log-Reason header, if any."""
        raw = self.headers.get("X-Audit-Log-Reason")
        return urllib.parse.unquote(raw) if raw is not None else None


@dataclass
class Fault:
    """An injected failure for matching requests."""

    method: str | None
    route: str | None
    status: int
    times: int
    retry_after: float
    is_global: bool
    body: dict[str, Any] | None
    # Matching requests to let through untouched before the fault starts.
    after: int = 0

    def matches(self, method: str, route: str | None, path: str) -> bool:
        """Return whether the fault applies to this request (counting down `after` first)."""
        if self.times <= 0:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if not (self.route is None or self.route in (route, path)):
            return False
        if self.after > 0:
            self.after -= 1
            return False
        return True
