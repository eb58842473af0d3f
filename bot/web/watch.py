"""The pages behind durable links: the redirect, the watch page, the embeddable player.

    GET /r/{token}         302 to a fresh Recall link (the <video> source and the download)
    GET /r/{token}/watch   an HTML5 player with what the recording is, and a download button
    GET /r/{token}/embed   the bare player, for Slack's video block (framed by Slack only)

`?part=N` picks another of the meeting's videos: a bot whose recording was stopped and
started again has one per stretch; part 1 (the default) is the one posted in Slack, and the
watch page lists the others. `?t=<seconds>` starts the video there. Part 1's page also carries
the transcript: captions on the player, the lines beside it (bot/web/transcript_pages.py),
with a script of our own (static/transcript.js, the only script the page may run) that seeks,
follows along and filters.

Problems get a plain page with the right status, never a stack trace: unknown link 404, not
ready 409 (the page reloads itself), no video 404, deleted or expired 410 (past the end of its
retention: told without asking Recall), Recall down 503.
Pages that may ask Recall for a fresh link (or Slack for a name) run on Starlette's worker
threads; the redirect answers a cached link on the event loop.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.model.history import describe
from bot.model.recording import Recording
from bot.slack import messages
from bot.slack.directory import SlackDirectory
from bot.store.recording_events import RecordingEvents
from bot.store.transcripts import Transcripts
from bot.web.transcript_pages import TranscriptPages
from bot.workflow.media_links import (
    Expired,
    Gone,
    LinkError,
    MediaLinks,
    NotReady,
    RecallDown,
    UnknownLink,
    Video,
    recorded_on,
)

# Headers for every page here. The token in the address is the key to the video, so no page
# may leak it in a Referer; the watch page is never framed, the embed only by Slack.
_COMMON_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; media-src *; "
FRAMED_BY_NOBODY = _CSP + "frame-ancestors 'none'"
FRAMED_BY_SLACK = _CSP + "frame-ancestors https://*.slack.com"
WATCH_PAGE = _CSP + "script-src 'self'; frame-ancestors 'none'"
STATIC_THUMBNAIL = "/static/thumbnail.png"
_REDIRECT_HEADERS = {**_COMMON_HEADERS, "Content-Security-Policy": FRAMED_BY_NOBODY}

_templates = Environment(
    loader=PackageLoader("bot.web", "templates"),
    autoescape=select_autoescape(("html",), default=True),
)


class WatchPages:
    def __init__(
        self,
        links: MediaLinks,
        users: SlackDirectory,
        events: RecordingEvents,
        transcripts: Transcripts | None = None,
    ):
        self._links = links
        self._users = users
        self._events = events
        self._transcripts = TranscriptPages(links, transcripts) if transcripts else None

    async def video(self, request: Request) -> Response:
        """The redirect: answered on the event loop when the fresh link is cached (the common
        case: a player asking again, many people watching), otherwise on a worker thread,
        which may wait for Recall."""
        token, part = request.path_params["token"], _part(request)
        url = self._links.cached_link(token, part)
        if url is None:
            return await run_in_threadpool(self._video, token, part)
        return _redirect(url)

    def _video(self, token: str, part: int) -> Response:
        try:
            return _redirect(self._links.video(token, part).url)
        except LinkError as problem:
            return self._problem_page(problem)

    def watch(self, request: Request) -> Response:
        return self._player("watch.html", request, WATCH_PAGE)

    def embed(self, request: Request) -> Response:
        return self._player("embed.html", request, FRAMED_BY_SLACK)

    def _player(self, template: str, request: Request, csp: str) -> Response:
        token = request.path_params["token"]
        try:
            # Ask for the video now: a problem gets its page instead of a broken player, and
            # the fresh link is cached for the player's own request a moment later.
            found = self._links.video(token, _part(request))
        except LinkError as problem:
            return self._problem_page(problem)
        about = self._describe(found, token)
        if self._transcripts is not None and found.part == 1 and template == "watch.html":
            about |= self._transcripts.panel(found.recording, token)
        start = _seconds(request)
        if start:  # a media fragment: the browser starts the video there, script or not
            about["video_src"] += f"#t={start}"
        body = _templates.get_template(template).render(**about)
        return _headers(HTMLResponse(body), csp)

    def _describe(self, found: Video, token: str) -> dict[str, object]:
        rec = found.recording
        started = recorded_on(rec)
        query = f"?part={found.part}" if found.part > 1 else ""
        return {
            "title": messages.meeting_name(rec),
            "platform": messages.platform_label(rec.request.platform),
            "recorded_on": started.strftime("%d %b %Y, %H:%M UTC") if started else None,
            "duration": messages.format_duration(rec.duration_seconds),
            "requester": self._users.display_name(rec.request.team_id, rec.request.user_id),
            "video_src": f"/r/{token}{query}",
            "download_href": f"/r/{token}{query}",
            "poster": STATIC_THUMBNAIL,
            "history": self._history(rec),
            "available_until": _available_until(rec),
            "part": found.part,
            "parts": [
                (number, f"/r/{token}/watch" + (f"?part={number}" if number > 1 else ""))
                for number in range(1, found.parts + 1)
            ]
            if found.parts > 1
            else [],
        }

    def _history(self, rec: Recording) -> list[tuple[str, str]]:
        """What happened, for the page's details: (time, words), oldest first."""

        def name(user_id: str) -> str:
            return self._users.display_name(rec.request.team_id, user_id) or "someone"

        return [
            (f"{event.at:%d %b %Y, %H:%M UTC}", describe(event, name))
            for event in self._events.of(rec.id)
        ]

    def _problem_page(self, problem: LinkError) -> Response:
        rec = problem.recording
        status, heading, advice = 404, "Recording not found", None
        if isinstance(problem, UnknownLink):
            advice = "Check that the link was copied completely."
        elif isinstance(problem, NotReady):
            status, heading = 409, "Not ready yet"
            advice = (
                "The meeting is still being recorded or the video is being prepared. "
                "This page reloads by itself."
            )
        elif isinstance(problem, Expired):
            status, heading = 410, "Recording expired"
            advice = "Recordings are kept for a limited time, then deleted for good."
        elif isinstance(problem, Gone):
            status, heading = 410, "Recording no longer available"
            advice = self._deleted_by(rec)
        elif isinstance(problem, RecallDown):
            status, heading = 503, "Temporarily unavailable"
            advice = "Please try again in a minute."
        else:
            heading = "No video"
        body = _templates.get_template("problem.html").render(
            heading=heading,
            title=messages.meeting_name(rec) if rec else None,
            message=str(problem),
            advice=advice,
        )
        response = _headers(HTMLResponse(body, status_code=status), FRAMED_BY_NOBODY)
        if isinstance(problem, RecallDown):
            response.headers["Retry-After"] = "60"
        if isinstance(problem, NotReady):
            response.headers["Refresh"] = "30"
        return response

    def _deleted_by(self, rec: Recording | None) -> str | None:
        if rec is None or not rec.sharing.deleted_at or not rec.sharing.deleted_by:
            return None
        when = rec.sharing.deleted_at
        who = self._users.display_name(rec.request.team_id, rec.sharing.deleted_by) or "someone"
        return f"It was deleted by {who}" + (f" on {when:%d %b %Y}." if when else ".")


def _available_until(rec: Recording) -> str | None:
    """Until when the recording can be watched, for the page."""
    if rec.retention.expires_at is not None:
        return f"Available until {rec.retention.expires_at:%d %b %Y, %H:%M UTC}"
    if rec.retention.kind == "forever":
        return "Kept until someone deletes it"
    return None


def _redirect(url: str) -> Response:
    # The headers are given whole rather than set one by one afterwards: this answers every
    # viewer's player, many at once, on the event loop.
    return RedirectResponse(url, status_code=302, headers=_REDIRECT_HEADERS)


def _part(request: Request) -> int:
    """`?part=N`; anything that is not a small whole number is a part that does not exist."""
    if not request.scope.get("query_string"):
        return 1
    raw = request.query_params.get("part", "1")
    return int(raw) if _plain_number(raw) and len(raw) < 4 else 0


def _seconds(request: Request) -> int:
    """`?t=<seconds>`: where to start the video; 0 for anything that is not a whole number."""
    raw = request.query_params.get("t", "")
    return int(raw) if _plain_number(raw) and len(raw) < 7 else 0


def _plain_number(raw: str) -> bool:
    # str.isdigit() alone also takes "²" (which int() refuses: a 500) and other scripts' digits.
    return raw.isascii() and raw.isdigit()


def _headers(response: Response, csp: str) -> Response:
    response.headers.update(_COMMON_HEADERS)
    response.headers["Content-Security-Policy"] = csp
    return response
