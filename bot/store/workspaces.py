"""Workspaces where posting is paused (the table `workspaces`): the app was uninstalled or its
token revoked. A row pauses one workspace (a T… id) or, after an Enterprise Grid org removed
the app org-wide, every workspace of that org (its E… id, in the same column: Slack's ids of
the two kinds never collide)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store.database import Database
from bot.store.timestamps import from_ts, ts

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Workspaces:
    def __init__(self, database: Database):
        self._database = database

    def slack_block(
        self, team_id: str, enterprise_id: str | None = None
    ) -> tuple[str, datetime] | None:
        """Why and until when posting to this workspace is paused, if it is: by a pause of
        its own or of its Enterprise Grid org, whichever lasts longer."""
        keys = [team_id, enterprise_id] if enterprise_id else [team_id]
        marks = ", ".join("?" for _ in keys)
        row = self._database.db.execute(
            "SELECT slack_blocked_reason, slack_blocked_until FROM workspaces "
            f"WHERE team_id IN ({marks}) AND slack_blocked_reason IS NOT NULL "
            "ORDER BY COALESCE(slack_blocked_until, '') DESC LIMIT 1",
            keys,
        ).fetchone()
        if row is None:
            return None
        return row[0], from_ts(row[1]) or _EPOCH

    def block_slack(self, team_id: str, reason: str, until: datetime, now: datetime) -> bool:
        """Pause posting to a workspace, or to every workspace of an org when `team_id` is an
        enterprise id; True if it was not paused before (log it then)."""
        with self._database.write_lock:
            was = self.slack_block(team_id)
            self._database.db["workspaces"].upsert(
                {
                    "team_id": team_id,
                    "slack_blocked_reason": reason,
                    "slack_blocked_until": ts(until),
                    "updated_at": ts(now),
                },
                pk="team_id",
            )
        return was is None

    def unblock_slack(self, team_id: str, enterprise_id: str | None = None) -> None:
        """Posting works again: lift the workspace's pause and its org's, if it has one."""
        keys = [team_id, enterprise_id] if enterprise_id else [team_id]
        marks = ", ".join("?" for _ in keys)
        self._database.write(f"DELETE FROM workspaces WHERE team_id IN ({marks})", keys)
