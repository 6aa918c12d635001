"""Errors: misuse of the driver by a test, and Discord API errors answered over REST."""

from __future__ import annotations

from typing import Any


class EmulatorUsageError(Exception):
    """A test asked the emulator for something Discord would not allow (unknown command, ...)."""


class ApiError(Exception):
    """A Discord API error to answer with; problem is recorded in emu.problems when set."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: dict[str, Any] | None = None,
        problem: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.problem = problem

    def body(self) -> dict[str, Any]:
        """Return the JSON error body Discord would send."""
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            data["errors"] = self.errors
        return data


def not_found(what: str, code: int) -> ApiError:
    """Return a 404 'Unknown <what>' error."""
    return ApiError(404, code, f"Unknown {what}")


def missing_permissions(detail: str = "") -> ApiError:
    """Return a 403 Missing Permissions error (50013)."""
    return ApiError(403, 50013, "Missing Permissions" + (f" ({detail})" if detail else ""))


def missing_access() -> ApiError:
    """Return a 403 Missing Access error (50001)."""
    return ApiError(403, 50001, "Missing Access")


class FormErrors:
    """Collect field errors and turn them into Discord's nested 50035 errors object."""

    def __init__(self, prefix: str = "") -> None:
        self.items: list[tuple[str, str, str]] = []
        # Where the checked object sits in the request body ("data" in an interaction callback,
        # "message" in a forum post): Discord's errors object names the full path.
        self.prefix = prefix

    def add(self, path: str, code: str, message: str) -> None:
        """Record an error at a dotted path such as 'embeds.0.title' (under the prefix)."""
        if self.prefix:
            path = f"{self.prefix}.{path}" if path else self.prefix
        self.items.append((path, code, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def nested(self) -> dict[str, Any]:
        """Return the errors as Discord nests them."""
        root: dict[str, Any] = {}
        for path, code, message in self.items:
            node = root
            for part in path.split(".") if path else []:
                node = node.setdefault(part, {})
            node.setdefault("_errors", []).append({"code": code, "message": message})
        return root

    def summary(self) -> str:
        """Return a one-line description for emu.problems."""
        return "; ".join(f"{path or '<body>'}: {message}" for path, _, message in self.items)

    def raise_if_any(self, context: str) -> None:
        """Raise a 400 50035 ApiError (recorded as a problem) if there are errors."""
        if self.items:
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                errors=self.nested(),
                problem=f"{context}: invalid form body: {self.summary()}",
            )
