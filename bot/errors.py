"""Errors that carry a kind, safe message for the member, in words of no language yet.

A service raises `InvalidInput(N_("I don't know the time zone “%(zone)s”."), zone=shown)`:
the message is the catalog's English text with %-style placeholders, the values fill them
in. The error pipeline (bot/ui/errors.py) shows it in the member's language; `message` is the
English, for tests and for anything that has no reader.
"""

from __future__ import annotations

from typing import Any, Protocol


class Words(Protocol):
    """A language that can say a catalog message (bot.i18n.Language)."""

    def __call__(self, message: str, **values: Any) -> str:
        """Return the message in this language with its values filled in."""
        ...

    def context(self, context: str, message: str, **values: Any) -> str:
        """Return the message as translated for a context (e.g. "button")."""
        ...


class UserError(Exception):
    """A problem the member can understand and act on, shown to them privately."""

    def __init__(self, text: str, **values: Any) -> None:
        super().__init__(text)
        self.text = text
        self.values = values

    @property
    def message(self) -> str:
        """Return the message in English (the catalogs' source language)."""
        return self.text % self.values if self.values else self.text

    def said(self, words: Words) -> str:
        """Return the message in the given language."""
        return words(self.text, **self.values)


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

    def __init__(self, text: str, *, guild_id: int, **values: Any) -> None:
        super().__init__(text, **values)
        self.guild_id = guild_id


class RateLimited(UserError):
    """The member has done this too often for now."""
