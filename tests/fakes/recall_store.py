"""The Recall fake's state: bots, their status history and recordings, and how tests script them.

``BotStore`` knows nothing about HTTP; ``FakeRecall`` (recall.py) serves it. Every public method
takes the one lock, so the server threads and the test thread can call it at once.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fakes import recall_shapes as shapes
from tests.fakes.recall_shapes import Json, as_datetime, iso, now

# A join_at further ahead than this makes a scheduled bot.
SCHEDULED_LEAD = timedelta(minutes=10)
# Pre-signed S3 links live about 5 hours.
DOWNLOAD_URL_LIFETIME_S = 18000
# Once a bot has one of these, commands (Leave Call) are refused even if media_expired follows.
COMPLETED_CODES = frozenset({"done", "fatal"})
# Statuses that a not-yet-started (so still deletable) bot may have.
UNSTARTED_CODES = frozenset({"ready"})
_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided."
)


def latest_status(bot: Json) -> Json | None:
    """Newest status by created_at (the list order is not documented); ties go to the later."""
    changes = bot["status_changes"]
    if not changes:
        return None
    return max(enumerate(changes), key=lambda pair: (pair[1]["created_at"], pair[0]))[1]


def latest_code(bot: Json) -> str | None:
    status = latest_status(bot)
    return status["code"] if status else None


class BotStore:
    """Bots as Recall stores them. Bot JSON is kept in API shape with ``download_url`` null; a
    fresh signed link is filled in each time a bot is read."""

    def __init__(self, *, auto_progress: bool = False) -> None:
        self.auto_progress = auto_progress
        self._lock = threading.RLock()
        self._bots: dict[str, Json] = {}
        self._created: list[str] = []
        # signature -> (bot id, recording id, expiry): each link is for one recording's video
        self._signatures: dict[str, tuple[str, str, float]] = {}
        self._media_base = "http://127.0.0.1"

    # --- what the API does --------------------------------------------------------------------

    def create(self, body: Any) -> tuple[int, Json]:
        """Create Bot: (201, bot) or (400, field errors)."""
        errors = shapes.create_errors(body)
        if errors:
            return 400, errors
        bot_id = str(uuid.uuid4())
        join_at = shapes.parse_iso(body["join_at"]) if body.get("join_at") else None
        bot: Json = {
            "id": bot_id,
            "meeting_url": shapes.parse_meeting_url(body["meeting_url"]),
            "bot_name": body.get("bot_name") or "Meeting Notetaker",
            "join_at": iso(join_at) if join_at else None,
            "recording_config": shapes.recording_config(body.get("recording_config")),
            "status_changes": [],
            "recordings": [],
            "output_media": body.get("output_media"),
            "automatic_video_output": body.get("automatic_video_output"),
            "automatic_audio_output": body.get("automatic_audio_output"),
            "chat": body.get("chat"),
            "automatic_leave": shapes.automatic_leave(body.get("automatic_leave")),
            "variant": body.get("variant"),
            "calendar_meetings": [],
            "zoom": body.get("zoom"),
            "google_meet": body.get("google_meet"),
            "slack_team": None,
            "breakout_room": body.get("breakout_room"),
            "metadata": dict(body.get("metadata") or {}),
        }
        with self._lock:
            self._bots[bot_id] = bot
            self._created.append(bot_id)
            if join_at and join_at > now() + SCHEDULED_LEAD:
                self.push_status(bot_id, "ready")
            return 201, self._render(bot)

    def retrieve(self, bot_id: str) -> Json | None:
        """Retrieve Bot; with ``auto_progress`` each read first moves the bot one step on."""
        with self._lock:
            bot = self._bots.get(bot_id)
            if bot is None:
                return None
            if self.auto_progress:
                self._advance(bot_id)
            return self._render(bot)

    def find(
        self,
        *,
        statuses: Iterable[str] = (),
        platforms: Iterable[str] = (),
        metadata: dict[str, str] | None = None,
        join_at_after: datetime | None = None,
        join_at_before: datetime | None = None,
    ) -> list[Json]:
        """List Bots filtering, newest bot first."""
        with self._lock:
            matching = self._matching(
                statuses=statuses,
                platforms=platforms,
                metadata=metadata,
                join_at_after=join_at_after,
                join_at_before=join_at_before,
            )
            return [self._render(bot) for bot in matching]

    def _matching(
        self,
        *,
        statuses: Iterable[str] = (),
        platforms: Iterable[str] = (),
        metadata: dict[str, str] | None = None,
        join_at_after: datetime | None = None,
        join_at_before: datetime | None = None,
    ) -> list[Json]:
        """The stored (unrendered) bots ``find`` lists; rendering is left to the caller, so a
        page of a long list only renders (copies) its own bots."""
        wanted_status, wanted_platform = set(statuses), set(platforms)
        with self._lock:
            found = []
            for bot_id in reversed(self._created):
                bot = self._bots.get(bot_id)
                if bot is None:
                    continue
                if wanted_status and latest_code(bot) not in wanted_status:
                    continue
                if wanted_platform and bot["meeting_url"]["platform"] not in wanted_platform:
                    continue
                if any(bot["metadata"].get(k) != v for k, v in (metadata or {}).items()):
                    continue
                if not _join_at_within(bot, join_at_after, join_at_before):
                    continue
                found.append(bot)
            return found

    def leave_call(self, bot_id: str) -> tuple[int, Json]:
        with self._lock:
            bot = self._bots.get(bot_id)
            if bot is None:
                return 404, {"detail": "Not found."}
            codes = {change["code"] for change in bot["status_changes"]}
            if codes & COMPLETED_CODES:
                return 400, {
                    "code": "cannot_command_completed_bot",
                    "detail": "Cannot send a command to a bot which has completed.",
                }
            if codes <= UNSTARTED_CODES:
                return 400, {
                    "code": "cannot_command_unstarted_bot",
                    "detail": "Cannot send a command to a bot which has not started.",
                }
            if latest_code(bot) != "call_ended":  # already gone: nothing new to report
                self.push_status(bot_id, "call_ended", "bot_received_leave_call")
            return 200, self._render(bot)

    def delete(self, bot_id: str) -> tuple[int, Json | None]:
        """Delete a scheduled bot that has not started."""
        with self._lock:
            bot = self._bots.get(bot_id)
            if bot is None:
                return 404, {"detail": "Not found."}
            if {change["code"] for change in bot["status_changes"]} <= UNSTARTED_CODES:
                del self._bots[bot_id]
                return 204, None
            return 405, {"detail": 'Method "DELETE" not allowed.'}

    def delete_media(self, bot_id: str) -> Json | None:
        with self._lock:
            bot = self._bots.get(bot_id)
            if bot is None:
                return None
            for recording in bot["recordings"]:
                shapes.mark_deleted(recording, now())
            return self._render(bot)

    def media_problem(self, bot_id: str, signature: str | None) -> tuple[int, str, str] | None:
        """Why a media download must fail, S3-style (status, code, message); None if it may go."""
        with self._lock:
            issued = self._signatures.get(signature or "")
            if issued is None or issued[0] != bot_id:
                return 403, "SignatureDoesNotMatch", _SIGNATURE_MISMATCH
            if issued[2] < time.time():
                return 403, "AccessDenied", "Request has expired"
            bot = self._bots.get(bot_id)
            recordings = bot["recordings"] if bot else []
            if not any(
                r["id"] == issued[1] and shapes.video_status(r) == "done" for r in recordings
            ):
                return 404, "NoSuchKey", "The specified key does not exist."
            return None

    def recording_of(self, download_url: str) -> str | None:
        """The id of the recording whose video a download_url handed out is for."""
        signature = parse_qs(urlsplit(download_url).query).get("X-Amz-Signature", [""])[0]
        with self._lock:
            issued = self._signatures.get(signature)
            return issued[1] if issued else None

    # --- scripting for tests ------------------------------------------------------------------

    def add_bot(
        self, meeting_url: str = "https://meet.google.com/abc-defg-hij", **body: Any
    ) -> str:
        """Create a bot without HTTP (e.g. one the app lost track of); returns its id."""
        status, created = self.create({"meeting_url": meeting_url, **body})
        if status != 201:
            raise ValueError(f"Recall would reject this bot: {created}")
        return created["id"]

    def push_status(
        self,
        bot_id: str,
        code: str,
        sub_code: str | None = None,
        message: str | None = None,
        at: datetime | str | None = None,
    ) -> Json:
        """Append a status change (any code: Recall's set is open) and return it."""
        with self._lock:
            entry = shapes.status_entry(code, sub_code, message, as_datetime(at, now()))
            self._bot(bot_id)["status_changes"].append(entry)
            return copy.deepcopy(entry)

    def start_recording(self, bot_id: str, started_at: datetime | str | None = None) -> None:
        """Give the bot a recording in progress (media not ready yet), as while in the call."""
        with self._lock:
            started = as_datetime(started_at, self._status_time(bot_id, "in_call_recording"))
            self._bot(bot_id)["recordings"] = [shapes.recording_in_progress(started)]

    def complete_recording(
        self,
        bot_id: str,
        started_at: datetime | str | None = None,
        completed_at: datetime | str | None = None,
        video: str = "done",
    ) -> None:
        """Set the bot's one recording to finished, its mixed video in state ``video``
        (done, processing, failed, deleted). Times default to the bot's own status history."""
        with self._lock:
            bot = self._bot(bot_id)
            current = bot["recordings"][0] if bot["recordings"] else None
            default_start = (
                shapes.parse_iso(current["started_at"])
                if current
                else self._status_time(bot_id, "in_call_recording")
            )
            started = as_datetime(started_at, default_start or now())
            completed = as_datetime(completed_at, self._status_time(bot_id, "call_ended"))
            completed = max(completed, started)
            recording_id = current["id"] if current else None
            bot["recordings"] = [shapes.finished_recording(started, completed, video, recording_id)]

    def add_recording(
        self,
        bot_id: str,
        started_at: datetime | str,
        completed_at: datetime | str,
        video: str | None = "done",
    ) -> str:
        """Give the bot one more finished recording, as when recording is stopped and started
        again; ``video`` None means it has no mixed video at all. Returns the recording's id."""
        with self._lock:
            started = as_datetime(started_at, now())
            completed = max(as_datetime(completed_at, now()), started)
            recording = shapes.finished_recording(started, completed, video)
            self._bot(bot_id)["recordings"].append(recording)
            return recording["id"]

    def run_meeting(
        self, bot_id: str, minutes: float = 42, sub_code: str = "call_ended_by_host"
    ) -> None:
        """A whole successful meeting ending now: joined, recorded ``minutes``, video done."""
        with self._lock:
            ended = now() - timedelta(seconds=7)
            recording = ended - timedelta(minutes=minutes)
            timeline = [
                ("joining_call", None, recording - timedelta(seconds=24)),
                ("in_waiting_room", None, recording - timedelta(seconds=19)),
                ("in_call_not_recording", None, recording - timedelta(seconds=4)),
                ("in_call_recording", None, recording),
                ("call_ended", sub_code, ended),
                ("done", None, ended + timedelta(seconds=7)),
            ]
            self._push_all(bot_id, timeline)
            self.complete_recording(bot_id, started_at=recording, completed_at=ended)

    def end_without_video(
        self, bot_id: str, sub_code: str = "timeout_exceeded_waiting_room"
    ) -> None:
        """The bot gave up before recording (e.g. never admitted): done, no recording."""
        end = now()
        self._push_all(
            bot_id,
            [
                ("joining_call", None, end - timedelta(seconds=615)),
                ("in_waiting_room", None, end - timedelta(seconds=610)),
                ("call_ended", sub_code, end - timedelta(seconds=5)),
                ("done", None, end),
            ],
        )

    def fail_bot(self, bot_id: str, sub_code: str = "meeting_not_found") -> None:
        """The bot could not join: joining_call then fatal."""
        end = now()
        self._push_all(
            bot_id, [("joining_call", None, end - timedelta(seconds=8)), ("fatal", sub_code, end)]
        )

    def expire_media(self, bot_id: str) -> None:
        """Retention ran out: ``media_expired`` status and the media reported deleted."""
        with self._lock:
            self.push_status(bot_id, "media_expired")
            for recording in self._bot(bot_id)["recordings"]:
                shapes.mark_deleted(recording, now())

    def expire_download_urls(self) -> None:
        """Make every download_url handed out so far answer 403 "Request has expired"."""
        with self._lock:
            self._signatures = {
                sig: (bot, recording, 0.0) for sig, (bot, recording, _) in self._signatures.items()
            }

    @property
    def bots(self) -> dict[str, Json]:
        """Snapshot: bot id -> bot JSON as Retrieve Bot would show it (without auto-progress)."""
        with self._lock:
            return {bot_id: self._render(bot) for bot_id, bot in self._bots.items()}

    def bot(self, bot_id: str) -> Json:
        with self._lock:
            return self._render(self._bot(bot_id))

    def created_bot_ids(self) -> list[str]:
        """Ids of every bot created so far (also deleted ones), oldest first."""
        with self._lock:
            return list(self._created)

    # --- internals ----------------------------------------------------------------------------

    def _bot(self, bot_id: str) -> Json:
        try:
            return self._bots[bot_id]
        except KeyError:
            raise KeyError(f"FakeRecall has no bot {bot_id!r}") from None

    def _status_time(self, bot_id: str, code: str) -> datetime:
        """When the bot last got ``code``, or now."""
        matching = [c for c in self._bot(bot_id)["status_changes"] if c["code"] == code]
        moment = shapes.parse_iso(matching[-1]["created_at"]) if matching else None
        return moment or now()

    def _push_all(self, bot_id: str, timeline: list[tuple[str, str | None, datetime]]) -> None:
        with self._lock:
            for code, sub_code, at in timeline:
                self.push_status(bot_id, code, sub_code, at=at)

    def _advance(self, bot_id: str) -> None:
        """One auto-progress step: joining_call -> in_call_recording -> call_ended -> done."""
        bot = self._bot(bot_id)
        codes = {change["code"] for change in bot["status_changes"]}
        code = latest_code(bot)
        if codes & COMPLETED_CODES:
            return
        if code in (None, *UNSTARTED_CODES):
            self.push_status(bot_id, "joining_call")
        elif code == "in_call_recording":
            self.push_status(bot_id, "call_ended", "call_ended_by_host")
        elif code == "call_ended":
            if bot["recordings"] and bot["recordings"][0]["completed_at"] is None:
                self.complete_recording(bot_id)
            self.push_status(bot_id, "done")
        else:  # joining, waiting room, permission codes, unknown codes: start recording
            self.push_status(bot_id, "in_call_recording")
            self.start_recording(bot_id)

    def _render(self, bot: Json) -> Json:
        rendered = copy.deepcopy(bot)
        for recording in rendered["recordings"]:
            if shapes.video_status(recording) == "done":
                video = recording["media_shortcuts"]["video_mixed"]
                video["data"]["download_url"] = self._issue_download_url(bot["id"], recording["id"])
            self._render_transcripts(recording)
        return rendered

    def _render_transcripts(self, recording: Json) -> None:
        """Fill in a recording's transcript links (tests/fakes/recall_transcripts.py)."""

    def _issue_download_url(self, bot_id: str, recording_id: str) -> str:
        """A new pre-signed-looking link per read, as Recall gives."""
        signature = secrets.token_hex(32)
        expires = time.time() + DOWNLOAD_URL_LIFETIME_S
        self._signatures[signature] = (bot_id, recording_id, expires)
        query = urlencode(
            {
                "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                "X-Amz-Date": now().strftime("%Y%m%dT%H%M%SZ"),
                "X-Amz-Expires": str(DOWNLOAD_URL_LIFETIME_S),
                "X-Amz-Signature": signature,
            }
        )
        return f"{self._media_base}/media/{bot_id}.mp4?{query}"


def _join_at_within(bot: Json, after: datetime | None, before: datetime | None) -> bool:
    if after is None and before is None:
        return True
    join_at = shapes.parse_iso(bot["join_at"]) if bot["join_at"] else None
    if join_at is None:
        return False
    return (after is None or join_at >= after) and (before is None or join_at <= before)
