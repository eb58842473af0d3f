"""Transcripts in the Recall fake: a recording's `media_shortcuts.transcript` and
`.participant_events` (OpenAPI `TranscriptArtifactShortcut`, `ParticipantEventsArtifactShortcut`),
Create Async Transcript, and the pre-signed JSON downloads behind them, in Recall's download
format (Recall's "Download Schemas" page).

    recall.set_transcript(bot_id, [segment("Ada", "Hello everyone", start=1.0)])
    recall.set_transcript(bot_id, status="failed", sub_code="provider_error")
    recall.set_transcript(bot_id, [...], speaker_timeline=[span("Ada", 0, 42)])
    recall.transcribe_on_request = [segment(...)]   # Create Async Transcript finishes at once

``TranscriptScripts`` is mixed into FakeRecall (recall.py); it uses the BotStore's lock, bots
and ``_media_base``. Download links are filled in on every read, like the video's, and answer
403 once ``expire_download_urls`` ran or the signature is wrong.
"""

from __future__ import annotations

import copy
import json
import secrets
import time
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Response, request

from tests.fakes.recall_shapes import Json, iso, now

DOWNLOAD_URL_LIFETIME_S = 18000
PROVIDER_NAMES = frozenset(
    {
        "assembly_ai_async",
        "deepgram_async",
        "gladia_v2_async",
        "recallai_async",
        "rev_async",
        "speechmatics_async",
    }
)


def segment(
    speaker: str | None,
    text: str,
    start: float = 0.0,
    seconds_per_word: float = 0.4,
    *,
    timed: bool = True,
) -> Json:
    """One transcript segment as Recall's download has it; ``timed=False`` leaves the words
    without timestamps, as meeting captions may."""
    base = now()
    words = []
    for index, word in enumerate(text.split()):
        begin, end = start + index * seconds_per_word, start + (index + 0.8) * seconds_per_word
        item: Json = {"text": word}
        if timed:
            item["start_timestamp"] = {
                "relative": round(begin, 3),
                "absolute": iso(base + timedelta(seconds=begin)),
            }
            item["end_timestamp"] = {
                "relative": round(end, 3),
                "absolute": iso(base + timedelta(seconds=end)),
            }
        words.append(item)
    participant = (
        None
        if speaker is None
        else {
            "id": abs(hash(speaker)) % 1000,
            "name": speaker,
            "is_host": False,
            "platform": "desktop",
            "extra_data": {},
            "email": None,
        }
    )
    return {"participant": participant, "words": words}


def span(speaker: str, start: float, end: float | None) -> Json:
    """One entry of a speaker timeline."""
    participant = {"id": abs(hash(speaker)) % 1000, "name": speaker, "is_host": False}
    return {
        "participant": participant,
        "start_timestamp": {"relative": start, "absolute": iso(now())},
        "end_timestamp": None if end is None else {"relative": end, "absolute": iso(now())},
    }


def _status(code: str, sub_code: str | None = None) -> Json:
    return {"code": code, "sub_code": sub_code, "updated_at": iso(now())}


def transcript_shortcut(code: str, provider: Json, sub_code: str | None = None) -> Json:
    return {
        "id": str(uuid.uuid4()),
        "created_at": iso(now()),
        "status": _status(code, sub_code),
        "metadata": {},
        "data": {"download_url": None, "provider_data_download_url": None},
        "diarization": None,
        "provider": copy.deepcopy(provider),
    }


class TranscriptScripts:
    """Transcripts for FakeRecall; see the module docstring."""

    _lock: Any
    _media_base: str

    def _init_transcripts(self) -> None:
        self._documents: dict[str, Any] = {}  # document id -> the JSON a download returns
        self._doc_signatures: dict[str, tuple[str, float]] = {}  # signature -> (doc id, expiry)
        self.transcribe_on_request: list[Json] | None = None
        self.transcript_requests: list[tuple[str, Json]] = []  # (recording id, body)

    # --- scripting ------------------------------------------------------------------------

    def set_transcript(
        self,
        bot_id: str,
        segments: list[Json] | None = None,
        *,
        status: str = "done",
        sub_code: str | None = None,
        speaker_timeline: list[Json] | None = None,
        recording: int = 0,
    ) -> None:
        """Give the bot's recording a transcript in ``status`` (done, processing, failed), and,
        with ``speaker_timeline``, a participant-events shortcut whose timeline is that."""
        with self._lock:
            target = self._bot(bot_id)["recordings"][recording]  # type: ignore[attr-defined]
            provider = self._provider_of(bot_id)
            shortcut = transcript_shortcut(status, provider, sub_code)
            if status == "done":
                self._documents[shortcut["id"]] = copy.deepcopy(segments or [])
            target["media_shortcuts"]["transcript"] = shortcut
            if speaker_timeline is not None:
                events = {
                    "id": str(uuid.uuid4()),
                    "created_at": iso(now()),
                    "status": _status("done"),
                    "metadata": {},
                    "data": {
                        "participant_events_download_url": None,
                        "speaker_timeline_download_url": None,
                        "participants_download_url": None,
                    },
                }
                self._documents[events["id"]] = copy.deepcopy(speaker_timeline)
                target["media_shortcuts"]["participant_events"] = events

    # --- what the API does ----------------------------------------------------------------

    def create_transcript(self, recording_id: str, body: Any) -> tuple[int, Json]:
        """Create Async Transcript: (200, TranscriptArtifact) or (400/404, errors)."""
        provider = body.get("provider") if isinstance(body, dict) else None
        if not isinstance(provider, dict) or len(provider) != 1:
            return 400, {"provider": ["This field is required."]}
        if not set(provider) <= PROVIDER_NAMES or not isinstance(
            next(iter(provider.values())), dict
        ):
            return 400, {"provider": ["Invalid transcription provider."]}
        with self._lock:
            found = self._recording_by_id(recording_id)
            if found is None:
                return 404, {"detail": "Not found."}
            _bot_id, target = found
            self.transcript_requests.append((recording_id, copy.deepcopy(body)))
            done = self.transcribe_on_request is not None
            shortcut = transcript_shortcut("done" if done else "processing", provider)
            if done:
                self._documents[shortcut["id"]] = copy.deepcopy(self.transcribe_on_request)
            target["media_shortcuts"]["transcript"] = shortcut
            artifact = copy.deepcopy(shortcut)
            artifact["recording"] = {"id": recording_id, "metadata": {}}
            return 200, artifact

    def document(self, doc_id: str, signature: str | None) -> tuple[int, Any]:
        """A download: (200, JSON) or (403/404, an S3-style error code)."""
        with self._lock:
            issued = self._doc_signatures.get(signature or "")
            if issued is None or issued[0] != doc_id:
                return 403, "SignatureDoesNotMatch"
            if issued[1] < time.time():
                return 403, "AccessDenied"
            if doc_id not in self._documents:
                return 404, "NoSuchKey"
            return 200, copy.deepcopy(self._documents[doc_id])

    def expire_document_urls(self) -> None:
        with self._lock:
            self._doc_signatures = {
                sig: (doc, 0.0) for sig, (doc, _) in self._doc_signatures.items()
            }

    # --- routes (registered in recall.py) -------------------------------------------------

    def _create_transcript(self, recording_id: str) -> Response:
        try:
            body = json.loads(request.get_data() or b"null")
        except ValueError as error:
            return _json(400, {"detail": f"JSON parse error - {error}"})
        return _json(*self.create_transcript(recording_id, body))

    def _document(self, doc_id: str) -> Response:
        status, payload = self.document(doc_id, request.args.get("X-Amz-Signature"))
        if status != 200:
            xml = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{payload}</Code></Error>"
            return Response(xml, status, mimetype="application/xml")
        return _json(200, payload)

    # --- rendering (called from BotStore._render) -----------------------------------------

    def _render_transcripts(self, recording: Json) -> None:
        shortcuts = recording.get("media_shortcuts") or {}
        transcript = shortcuts.get("transcript")
        if transcript and transcript["status"]["code"] == "done":
            transcript["data"]["download_url"] = self._doc_url(transcript["id"])
        events = shortcuts.get("participant_events")
        if events and events["id"] in self._documents:
            events["data"]["speaker_timeline_download_url"] = self._doc_url(events["id"])

    def _doc_url(self, doc_id: str) -> str:
        signature = secrets.token_hex(32)
        self._doc_signatures[signature] = (doc_id, time.time() + DOWNLOAD_URL_LIFETIME_S)
        query = urlencode(
            {
                "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                "X-Amz-Date": now().strftime("%Y%m%dT%H%M%SZ"),
                "X-Amz-Expires": str(DOWNLOAD_URL_LIFETIME_S),
                "X-Amz-Signature": signature,
            }
        )
        return f"{self._media_base}/media/docs/{doc_id}.json?{query}"

    def _provider_of(self, bot_id: str) -> Json:
        config = self._bot(bot_id)["recording_config"] or {}  # type: ignore[attr-defined]
        transcript = config.get("transcript") or {}
        return copy.deepcopy(transcript.get("provider") or {"meeting_captions": {}})

    def _recording_by_id(self, recording_id: str) -> tuple[str, Json] | None:
        for bot_id, bot in self._bots.items():  # type: ignore[attr-defined]
            for recording in bot["recordings"]:
                if recording["id"] == recording_id:
                    return bot_id, recording
        return None


def _json(status: int, payload: object) -> Response:
    return Response(json.dumps(payload), status, mimetype="application/json")
