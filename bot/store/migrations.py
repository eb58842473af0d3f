"""Schema migrations (sqlite-utils' built-in `Migrations`); applied once at start-up.

Add a new function for every change; never edit one that has shipped.
"""

from __future__ import annotations

import secrets

from sqlite_utils import Database, Migrations

migrations = Migrations("slack-record")
# 128 bits of randomness: not guessable, not derived from any id (a link is a capability).
SHARE_TOKEN_BYTES = 16


@migrations()
def create_recordings(db: Database) -> None:
    db["recordings"].create(
        {
            "id": str,  # ours; opaque, never shown as a link token
            "team_id": str,
            "enterprise_id": str,
            "channel_id": str,  # where /record was typed
            "user_id": str,  # who asked
            "response_url": str,  # Slack's per-command reply hook (valid 30 min)
            "meeting_url": str,  # as sent to Recall; Recall blanks its copy after a few days
            "platform": str,
            "meeting_key": str,  # normalised meeting identity, for "one bot per meeting"
            "state": str,  # bot.lifecycle.State
            "recall_region": str,
            "recall_bot_id": str,
            "recall_status": str,  # last Recall status code seen
            "recall_sub_code": str,
            "recall_status_at": str,
            "failure_reason": str,  # bot.explanations code when state is failed
            "failure_sub_code": str,
            "failure_detail": str,  # Recall's own words (e.g. a 400 detail)
            "recording_started_at": str,
            "recording_ended_at": str,
            "created_at": str,
            "updated_at": str,
            "deadline_at": str,  # stop following the bot after this
            "next_poll_at": str,  # NULL once nothing is left to do; doubles as the claim lease
            "claim_token": str,  # fencing token of whoever holds the lease
            "attempts": int,  # consecutive failed Recall calls, for backoff
            "capacity_waits": int,  # 507 answers so far while creating the bot
            "status_channel": str,  # the Slack message we posted about it
            "status_ts": str,
            "finished_at": str,  # when the recording reached a final state
            "notified_at": str,  # when the final (ready/failed) notice reached Slack
        },
        pk="id",
        not_null={
            "team_id",
            "channel_id",
            "user_id",
            "meeting_url",
            "platform",
            "state",
            "created_at",
            "updated_at",
            "deadline_at",
        },
        defaults={"attempts": 0, "capacity_waits": 0},
    )
    # The poller reads only open, due rows; a partial index keeps that read independent of
    # how much finished history the table holds.
    db.execute(
        "CREATE INDEX idx_recordings_due ON recordings (next_poll_at) "
        "WHERE next_poll_at IS NOT NULL"
    )
    db.execute(
        "CREATE UNIQUE INDEX idx_recordings_bot ON recordings (recall_bot_id) "
        "WHERE recall_bot_id IS NOT NULL"
    )
    db["recordings"].create_index(["channel_id", "created_at"])
    db["recordings"].create_index(["meeting_key", "state"])


@migrations()
def add_options_and_controls(db: Database) -> None:
    recordings = db["recordings"]
    for column, kind in (
        ("leased_until", str),  # claim lease, separate from the schedule in next_poll_at
        ("team_domain", str),  # for links to our messages (https://<domain>.slack.com/…)
        ("bot_name", str),  # name shown in the meeting (--name)
        ("layout", str),  # Recall video_mixed_layout (--layout)
        ("separate_videos", int),  # per-participant MP4s requested (--separate)
        ("join_at_text", str),  # --at as typed, when it needs the requester's time zone
        ("join_at", str),  # when the bot joins (scheduled bots)
        ("stop_requested_by", str),  # who pressed Stop / Cancel (or /record stop)
        ("stop_requested_at", str),
        ("stop_sent_at", str),  # when Recall accepted leave_call / delete
        ("alerts", str),  # thread replies already sent, e.g. "waiting_room"
        ("status_key", str),  # fingerprint of what the status message shows now
    ):
        recordings.add_column(column, kind)
    # "One bot per meeting": live recordings by meeting, without reading finished history.
    db.execute(
        "CREATE INDEX idx_recordings_live ON recordings (team_id, meeting_key) "
        "WHERE finished_at IS NULL"
    )


@migrations()
def add_share_links(db: Database) -> None:
    recordings = db["recordings"]
    recordings.add_column("share_token", str)  # the unguessable part of PUBLIC_BASE_URL/r/<token>
    recordings.add_column("deleted_at", str)  # someone deleted the recording: links answer 410
    recordings.add_column("deleted_by", str)
    recordings.add_column("media_deleted_at", str)  # Recall confirmed delete_media
    for (recording_id,) in db.execute("SELECT id FROM recordings").fetchall():
        db.execute(
            "UPDATE recordings SET share_token = ? WHERE id = ?",
            [secrets.token_urlsafe(SHARE_TOKEN_BYTES), recording_id],
        )
    db.execute("CREATE UNIQUE INDEX idx_recordings_share_token ON recordings (share_token)")


@migrations()
def add_exactly_once_posting(db: Database) -> None:
    # A post to Slack in flight: set before the call, cleared after. Found set on a later step,
    # it means the process died mid-post, so Slack is asked whether the message landed.
    db["recordings"].add_column("pending_post", str)
    # Workspaces whose Slack token stopped working: we stop posting there and keep the data.
    db["workspaces"].create(
        {
            "team_id": str,
            "slack_blocked_reason": str,  # e.g. token_revoked; NULL when posting works
            "slack_blocked_until": str,  # next time to try again
            "updated_at": str,
        },
        pk="team_id",
    )


@migrations()
def add_webhooks(db: Database) -> None:
    recordings = db["recordings"]
    # The newest bot event a Recall webhook told us about (older deliveries never overwrite it).
    recordings.add_column("hook_code", str)
    recordings.add_column("hook_sub_code", str)
    recordings.add_column("hook_at", str)
    recordings.add_column("hook_fetch", int)  # a finishing event: look at the whole bot once
    recordings.add_column("hook_seq", int)  # counts noted events, to spot one during a step
    # Svix delivers at least once: remember delivery ids to do each one once.
    db["webhook_deliveries"].create(
        {"id": str, "event": str, "received_at": str}, pk="id", not_null={"received_at"}
    )
    db["webhook_deliveries"].create_index(["received_at"])


@migrations()
def add_oauth_states(db: Database) -> None:
    # Each OAuth state works once and for 10 minutes (and is signed: bot/store/oauth_states.py).
    db["oauth_states"].create({"nonce": str, "expires_at": str}, pk="nonce")


@migrations()
def add_looked_at(db: Database) -> None:
    # When we last had news of the bot (a Retrieve, or seeing it in a List Bots page).
    db["recordings"].add_column("looked_at", str)


@migrations()
def add_slack_request_ledger(db: Database) -> None:
    # Keys of the Slack requests acted on lately (bot/slack/replays.py): a signed request sent
    # again within Slack's 5-minute window is acknowledged and does nothing.
    db["slack_requests"].create(
        {"key": str, "received_at": str}, pk="key", not_null={"received_at"}
    )
    db["slack_requests"].create_index(["received_at"])


@migrations()
def add_recording_events(db: Database) -> None:
    # Each recording's history (bot/store/recording_events.py): every change of state, with
    # what caused it, and who asked for what. Appended in the same transaction as the change.
    db["recording_events"].create(
        {
            "id": int,
            "recording_id": str,
            "at": str,
            "from_state": str,  # NULL for the request itself
            "to_state": str,  # the same as from_state when nothing moved (a Stop press)
            "cause": str,  # requested, recall, webhook, failed, cancelled, stop, deleted ...
            "detail": str,  # a Recall status code, a failure reason
            "sub_code": str,  # Recall's sub_code, when there is one
            "by": str,  # the Slack user who asked, when someone did
        },
        pk="id",
        not_null={"recording_id", "at", "to_state", "cause"},
    )
    db["recording_events"].create_index(["recording_id", "id"])


@migrations()
def add_consent_retention_and_zoom(db: Database) -> None:
    recordings = db["recordings"]
    for column, kind in (
        ("consent_notice", str),  # the words sent to the meeting chat when the recorder joins
        ("consent_status", str),  # sent, off, no_chat (bot/model/consent.py)
        ("chat_stop", int),  # the stop phrase typed in the meeting chat makes it leave
        ("zoom_on_behalf", int),  # joins Zoom on behalf of the requester (an OBF token)
        ("callback_secret", str),  # in the URLs Recall calls back for this recording alone
        ("stop_source", str),  # NULL: Slack; meeting_chat: stop_requested_by is a name
        ("retention", str),  # timed or forever; NULL for recordings made before
        ("retention_hours", int),
        ("expires_at", str),  # when Recall deletes the media (known once it has ended)
        ("expiry_noted_at", str),  # the status message said it expired
    ):
        recordings.add_column(column, kind)
    # The expiry sweep reads only recordings whose expiry has not been told yet.
    db.execute(
        "CREATE INDEX idx_recordings_expiry ON recordings (expires_at) "
        "WHERE expiry_noted_at IS NULL"
    )
    # A Slack user's connected Zoom account (bot/store/zoom_accounts.py): secrets, never logged.
    db["zoom_accounts"].create(
        {
            "team_id": str,
            "user_id": str,
            "access_token": str,
            "refresh_token": str,
            "expires_at": str,  # of the access token
            "scope": str,
            "connected_at": str,
            "updated_at": str,
        },
        pk=("team_id", "user_id"),
        not_null={"access_token", "refresh_token", "expires_at", "connected_at", "updated_at"},
    )
    # Single-use, short-lived steps of connecting a Zoom account (bot/store/zoom_handshakes.py):
    # the link /record connect zoom gives, and the OAuth state sent to Zoom.
    db["zoom_handshakes"].create(
        {
            "nonce": str,
            "kind": str,  # link or state
            "team_id": str,
            "user_id": str,
            "enterprise_id": str,
            "team_domain": str,
            "expires_at": str,
        },
        pk="nonce",
        not_null={"kind", "team_id", "user_id", "expires_at"},
    )


@migrations()
def add_recoveries(db: Database) -> None:
    # Each rebuild of recordings from Recall and Slack (bot/store/recoveries.py): a database
    # that has neither recordings nor a rebuild behind it is new, or was lost.
    db["recoveries"].create(
        {"id": int, "ran_at": str, "days": float, "bots_seen": int, "rebuilt": int},
        pk="id",
        not_null={"ran_at"},
    )


@migrations()
def add_transcripts(db: Database) -> None:
    # A recording's transcript (bot/store/transcripts.py): whether it came, and what it says
    # in summary. Followed like a recording: `next_check_at` is when to look again at Recall,
    # with a lease while someone does.
    db["transcripts"].create(
        {
            "recording_id": str,
            "status": str,  # bot.model.transcript.TranscriptStatus
            "provider": str,  # TRANSCRIPT_PROVIDER when it was expected
            "detail": str,  # why there is none: Recall's sub_code, or our reason
            "attempts": int,  # consecutive failed looks, for back-off
            "next_check_at": str,  # NULL once nothing is left to do
            "leased_until": str,
            "claim_token": str,
            "created_at": str,
            "updated_at": str,
            "ready_at": str,
            "lines": int,
            "words": int,
            "speakers": str,  # JSON [[name, seconds], ...], the most talkative first
        },
        pk="recording_id",
        not_null={"status", "created_at", "updated_at"},
        defaults={"attempts": 0},
    )
    db.execute(
        "CREATE INDEX idx_transcripts_due ON transcripts (next_check_at) "
        "WHERE next_check_at IS NOT NULL"
    )
    # Channels, numbered: a channel's transcript lines take ids in a range of their own
    # (number << 32 and up), so a search within one channel reads only that range of the
    # full-text index, however much the other channels hold (bot/store/transcript_lines.py).
    db["transcript_scopes"].create(
        {"id": int, "team_id": str, "channel_id": str},
        pk="id",
        not_null={"team_id", "channel_id"},
    )
    db["transcript_scopes"].create_index(["team_id", "channel_id"], unique=True)
    # One row per phrase: a caption's worth of one speaker's words.
    db["transcript_lines"].create(
        {
            "id": int,
            "recording_id": str,
            "start_seconds": float,  # from the start of the recording (and of its video)
            "end_seconds": float,
            "speaker": str,
            "text": str,
        },
        pk="id",
        not_null={"recording_id", "start_seconds", "end_seconds", "text"},
    )
    db["transcript_lines"].create_index(["recording_id", "start_seconds"])
    # Full-text search over the lines with FTS5, kept in step by triggers. Written as plain
    # SQL: sqlite-utils' enable_fts runs a script, which would commit this migration halfway.
    db.execute(
        "CREATE VIRTUAL TABLE transcript_lines_fts USING fts5(text, content='transcript_lines', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
    )
    db.execute(
        "CREATE TRIGGER transcript_lines_ai AFTER INSERT ON transcript_lines BEGIN "
        "INSERT INTO transcript_lines_fts (rowid, text) VALUES (new.id, new.text); END"
    )
    db.execute(
        "CREATE TRIGGER transcript_lines_ad AFTER DELETE ON transcript_lines BEGIN "
        "INSERT INTO transcript_lines_fts (transcript_lines_fts, rowid, text) "
        "VALUES ('delete', old.id, old.text); END"
    )


@migrations()
def add_media_lost(db: Database) -> None:
    # Recall no longer had the video when a link asked for it (404, or deleted or expired
    # there): the transcript goes with it, as on deletion and expiry (bot/workflow/expiry.py).
    db["recordings"].add_column("media_lost_at", str)
