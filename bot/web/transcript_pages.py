"""A recording's transcript on the web: captions for the player, the text to download, and the
panel beside the player on the watch page.

    GET /r/{token}/captions.vtt     WebVTT (text/vtt): one cue per phrase, `<v Speaker>`
    GET /r/{token}/transcript.txt   plain text, `[00:01:02] Name: words`, as a download

The same link rules as the video (bot/workflow/media_links.py): an unknown link is 404, one
not ready 409, a recording without a video 404, a deleted or expired one 410 (`/record delete`
and the end of the retention take its transcript with it, and so does Recall no longer having
the video). A recording without a transcript answers 404 with the reason. Problems are a short
plain-text body. The transcript is read from SQLite, on a worker thread; whether Recall still
has the video is asked through the video's own link, which keeps a fresh link for the player
and asks Recall only when it has none (and if Recall cannot be reached, the transcript is
served all the same). The first answer that Recall no longer has it marks the recording, whose
next step deletes the transcript's rows; from then on this answers 410 without asking.

A three-hour meeting's captions and transcript panel (a few thousand lines) take tens of
milliseconds to build, so the last few built are kept (`Recent`) for whoever watches the same
recording next: for a few minutes at most, so that a deleted or expired recording's words do not
linger in memory (its links answer 410 before anything is looked up here).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.model.lifecycle import State
from bot.model.recording import Recording
from bot.model.talk_time import shown
from bot.model.transcript import TranscriptStatus, TranscriptSummary, turns
from bot.model.transcript_formats import (
    UNKNOWN_SPEAKER,
    clock,
    plain_text,
    webvtt,
    why_no_transcript,
)
from bot.store.transcripts import Transcripts
from bot.workflow.media_links import Gone, LinkError, MediaLinks, RecallDown, recorded_on

# Nothing in a caption file or a text file needs to load anything, or be framed.
TEXT_CSP = "default-src 'none'; frame-ancestors 'none'"
RECENT_TRANSCRIPTS = 8
RECENT_SECONDS = 300.0
T = TypeVar("T")

_templates = Environment(
    loader=PackageLoader("bot.web", "templates"),
    autoescape=select_autoescape(("html",), default=True),
)


class Recent:
    """The last `size` things built, each for `seconds` at most; safe across threads."""

    def __init__(
        self, size: int, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._size, self._seconds, self._clock = size, seconds, clock
        self._kept: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            found = self._kept.get(key)
            if found is not None and self._clock() - found[0] < self._seconds:
                self._kept.move_to_end(key)
                return found[1]  # type: ignore[no-any-return]
        value = build()
        with self._lock:
            self._kept[key] = (self._clock(), value)
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return value


@dataclass(frozen=True)
class _Problem(Exception):
    status: int
    words: str


class TranscriptPages:
    def __init__(self, links: MediaLinks, transcripts: Transcripts):
        self._links = links
        self._transcripts = transcripts
        self._recent = Recent(RECENT_TRANSCRIPTS * 2, RECENT_SECONDS)

    async def captions(self, request: Request) -> Response:
        return await run_in_threadpool(self._captions, request.path_params["token"])

    async def text(self, request: Request) -> Response:
        return await run_in_threadpool(self._text, request.path_params["token"])

    def panel(self, rec: Recording, token: str) -> dict[str, Any]:
        """What the watch page shows of the transcript: the captions track, the lines by turn,
        who talked how much; or why there is no transcript."""
        summary = self._transcripts.summary(rec.id)
        if summary is None:
            return {}
        if not summary.ready:
            note = why_no_transcript(summary.status, summary.provider, summary.detail)
            return {"transcript_note": note}
        return {
            "captions_src": f"/r/{token}/captions.vtt",
            "transcript_txt": f"/r/{token}/transcript.txt",
            "speakers": [
                {"name": s.name, "percent": s.percent, "width": round(s.share * 100, 2)}
                for s in shown(summary.speakers)
            ],
            "transcript_html": self._recent.get(
                ("panel", *_version(rec, summary)), lambda: self._panel_html(rec)
            ),
        }

    def _panel_html(self, rec: Recording) -> Markup:
        said = [
            {
                "speaker": turn.speaker or UNKNOWN_SPEAKER,
                "clock": clock(turn.start),
                "seconds": int(turn.start),
                "phrases": [(f"{p.start:.2f}", int(p.start), p.text) for p in turn.phrases],
            }
            for turn in turns(self._transcripts.lines.of(rec.id))
        ]
        return Markup(_templates.get_template("transcript.html").render(transcript=said))

    def _captions(self, token: str) -> Response:
        try:
            rec, summary = self._ready(token)
        except _Problem as problem:
            return _plain(problem.words, problem.status)
        body = self._recent.get(
            ("captions", *_version(rec, summary)),
            lambda: webvtt(self._transcripts.lines.of(rec.id)),
        )
        return _plain(body, 200, "text/vtt; charset=utf-8")

    def _text(self, token: str) -> Response:
        try:
            rec, _ = self._ready(token)
        except _Problem as problem:
            return _plain(problem.words, problem.status)
        response = _plain(plain_text(self._transcripts.lines.of(rec.id)), 200)
        day = recorded_on(rec)
        name = f"transcript-{day:%Y-%m-%d}.txt" if day else "transcript.txt"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _ready(self, token: str) -> tuple[Recording, TranscriptSummary]:
        """The recording behind the link, if its transcript may be read; _Problem otherwise."""
        try:
            rec = self._links.recording(token)
        except LinkError as problem:
            raise _Problem(404, str(problem)) from problem
        if rec.sharing.deleted_at:
            raise _Problem(410, "This recording was deleted, and its transcript with it.")
        if rec.state in (State.FAILED, State.CANCELLED):
            raise _Problem(404, "This meeting was not recorded, so it has no transcript.")
        if rec.state != State.READY:
            raise _Problem(409, "The recording isn't ready yet.")
        if rec.retention.expired(self._links.clock()):
            # The transcript goes with the video, even before the expiry sweep deletes its rows.
            raise _Problem(410, "This recording expired, and its transcript with it.")
        if rec.sharing.media_lost_at:
            # Recall said so once (below); its rows are deleted, or about to be.
            raise _Problem(
                410,
                "This recording is no longer available: Recall deleted the video. "
                "Its transcript went with it.",
            )
        summary = self._transcripts.summary(rec.id)
        if summary is None:
            raise _Problem(404, "This recording has no transcript.")
        if summary.status in (TranscriptStatus.AWAITED, TranscriptStatus.REQUESTED):
            raise _Problem(409, "The transcript isn't ready yet.")
        if not summary.ready:
            raise _Problem(404, why_no_transcript(summary.status, summary.provider, summary.detail))
        self._video_still_there(token)
        return rec, summary

    def _video_still_there(self, token: str) -> None:
        """The transcript goes with the video when Recall no longer has it (deleted there, or
        expired), as the video's own link says (the fresh link kept for the player usually
        answers without asking Recall). The transcript is ours: Recall being unreachable does
        not keep it from anyone."""
        try:
            self._links.video(token)
        except Gone as problem:
            raise _Problem(410, f"{problem} Its transcript went with it.") from problem
        except RecallDown:
            return
        except LinkError as problem:  # the checks above already answered these
            raise _Problem(404, str(problem)) from problem


def _version(rec: Recording, summary: TranscriptSummary) -> tuple[str, object, int]:
    """What changes whenever the recording's transcript is stored anew."""
    return rec.id, summary.ready_at, summary.lines


def _plain(body: str, status: int, media_type: str = "text/plain; charset=utf-8") -> Response:
    response = PlainTextResponse(body, status_code=status, media_type=media_type)
    response.headers["Content-Security-Policy"] = TEXT_CSP
    return response
