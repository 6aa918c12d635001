"""Sealing an author's id under a rotation window's key (AES-256-GCM), and opening it again.

A sealed id is only as lasting as the window key it was sealed with: once the key row is
deleted, nobody can open it, and the author tokens made with that key match no one.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.domain.pseudonyms import TOKEN_BYTES, subkey

NONCE_BYTES = 12


def new_window_key() -> bytes:
    """Return a fresh random key for one rotation window."""
    return secrets.token_bytes(TOKEN_BYTES)


def _context(purpose: str, guild_id: int, window_id: int) -> bytes:
    return f"hearth/checkins/{purpose}|{guild_id}|{window_id}".encode()


def seal_author(key: bytes, purpose: str, guild_id: int, window_id: int, user_id: int) -> bytes:
    """Encrypt a member id for one purpose ("pending" or "reveal") in one server and window."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    cipher = AESGCM(subkey(key, f"seal/{purpose}"))
    plaintext = user_id.to_bytes(8, "big")
    return nonce + cipher.encrypt(nonce, plaintext, _context(purpose, guild_id, window_id))


def open_author(key: bytes, purpose: str, guild_id: int, window_id: int, sealed: bytes) -> int:
    """Decrypt a sealed member id; raise ValueError if it was not sealed with this key."""
    cipher = AESGCM(subkey(key, f"seal/{purpose}"))
    try:
        plaintext = cipher.decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _context(purpose, guild_id, window_id)
        )
    except InvalidTag as error:
        raise ValueError("sealed with another key") from error
    return int.from_bytes(plaintext, "big")
