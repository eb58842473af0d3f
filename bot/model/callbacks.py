"""The capability in the URLs Recall calls back for one recording (its chat messages, its Zoom
token): `<recording id>.<secret>`. The id finds the recording; the secret, random and kept with
it, is compared in constant time, so neither a guess nor a timing can stand in for it."""

from __future__ import annotations

import hmac
import secrets

SECRET_BYTES = 24  # 192 random bits


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def callback_token(recording_id: str, secret: str) -> str:
    return f"{recording_id}.{secret}"


def recording_id_of(token: str) -> str | None:
    """The recording a token names, if it has the shape of one (else None: look nothing up)."""
    recording_id, dot, secret = token.partition(".")
    if not dot or not recording_id.isalnum() or len(recording_id) > 64 or not secret:
        return None
    return recording_id


def matches(token: str, recording_id: str, secret: str | None) -> bool:
    """Is `token` this recording's? As bytes: a query value can hold any character, and
    comparing non-ASCII text raises instead of answering no."""
    if not secret:
        return False
    expected = callback_token(recording_id, secret).encode()
    return hmac.compare_digest(token.encode(errors="replace"), expected)
