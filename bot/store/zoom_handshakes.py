"""The single-use, short-lived steps of connecting a Zoom account (the table `zoom_handshakes`):
the link `/record connect zoom` answers with (`link`), and the OAuth `state` sent to Zoom and
checked when the user comes back (`state`). Each is tied to the Slack user and workspace that
asked, works once (taking it deletes it) and only until it expires."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.store.database import Database
from bot.store.timestamps import ts

LINK_LIFETIME = timedelta(minutes=10)
STATE_LIFETIME = timedelta(minutes=10)
NONCE_BYTES = 24  # 192 random bits


@dataclass(frozen=True)
class Asker:
    """The Slack user a handshake was issued to."""

    team_id: str
    user_id: str
    enterprise_id: str | None = None
    team_domain: str | None = None


class ZoomHandshakes:
    def __init__(self, database: Database):
        self._database = database

    def issue(self, kind: str, asker: Asker, now: datetime) -> str:
        nonce = secrets.token_urlsafe(NONCE_BYTES)
        lifetime = LINK_LIFETIME if kind == "link" else STATE_LIFETIME
        self._database.write(
            "INSERT INTO zoom_handshakes (nonce, kind, team_id, user_id, enterprise_id, "
            "team_domain, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                nonce,
                kind,
                asker.team_id,
                asker.user_id,
                asker.enterprise_id,
                asker.team_domain,
                ts(now + lifetime),
            ],
        )
        return nonce

    def take(self, kind: str, nonce: str, now: datetime) -> Asker | None:
        """Use a handshake up: whom it was issued to, if it exists, is of this kind and has not
        expired. Deleting it is what makes it single-use; the lookup is by primary key, and a
        nonce is 192 random bits, so a guess finds nothing."""
        rows = self._database.write_returning(
            "DELETE FROM zoom_handshakes WHERE nonce = :nonce AND kind = :kind "
            "AND expires_at > :now RETURNING team_id, user_id, enterprise_id, team_domain",
            {"nonce": nonce, "kind": kind, "now": ts(now)},
        )
        if not rows:
            return None
        row = rows[0]
        return Asker(row["team_id"], row["user_id"], row["enterprise_id"], row["team_domain"])

    def forget_expired(self, now: datetime) -> int:
        return self._database.write("DELETE FROM zoom_handshakes WHERE expires_at <= ?", [ts(now)])
