"""Connected Zoom accounts (the table `zoom_accounts`): one per Slack user of a workspace, with
the OAuth tokens Zoom gave for it. The tokens are secrets: kept here and nowhere else, never
logged, replaced when refreshed (Zoom hands out a new refresh token each time), and deleted when
the user disconnects or Zoom refuses them."""

from __future__ import annotations

from datetime import datetime

from bot.model.zoom_tokens import ZoomTokens
from bot.store.database import Database
from bot.store.timestamps import from_ts, ts


class ZoomAccounts:
    def __init__(self, database: Database):
        self._database = database

    def get(self, team_id: str, user_id: str) -> ZoomTokens | None:
        row = self._database.db.execute(
            "SELECT access_token, refresh_token, expires_at, scope FROM zoom_accounts "
            "WHERE team_id = ? AND user_id = ?",
            [team_id, user_id],
        ).fetchone()
        if row is None:
            return None
        return ZoomTokens(row[0], row[1], from_ts(row[2]) or datetime.min, row[3])

    def connected(self, team_id: str, user_id: str) -> bool:
        row = self._database.db.execute(
            "SELECT 1 FROM zoom_accounts WHERE team_id = ? AND user_id = ?", [team_id, user_id]
        ).fetchone()
        return row is not None

    def save(self, team_id: str, user_id: str, tokens: ZoomTokens, now: datetime) -> None:
        """Keep new tokens (a first connection, or a refresh), replacing the old ones."""
        self._database.write(
            "INSERT INTO zoom_accounts (team_id, user_id, access_token, refresh_token, "
            "expires_at, scope, connected_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (team_id, user_id) DO UPDATE SET access_token = excluded.access_token, "
            "refresh_token = excluded.refresh_token, expires_at = excluded.expires_at, "
            "scope = excluded.scope, updated_at = excluded.updated_at",
            [
                team_id,
                user_id,
                tokens.access_token,
                tokens.refresh_token,
                ts(tokens.expires_at),
                tokens.scope,
                ts(now),
                ts(now),
            ],
        )

    def forget(self, team_id: str, user_id: str) -> ZoomTokens | None:
        """Delete a user's tokens; what they were (to revoke them at Zoom), or None."""
        found = self.get(team_id, user_id)
        self._database.write(
            "DELETE FROM zoom_accounts WHERE team_id = ? AND user_id = ?", [team_id, user_id]
        )
        return found

    def forget_if_unchanged(self, team_id: str, user_id: str, refresh_token: str) -> bool:
        """Delete a user's tokens if they are still the ones Zoom refused (a newer connection
        made meanwhile is kept); True if they were deleted."""
        return (
            self._database.write(
                "DELETE FROM zoom_accounts WHERE team_id = ? AND user_id = ? AND refresh_token = ?",
                [team_id, user_id, refresh_token],
            )
            == 1
        )
