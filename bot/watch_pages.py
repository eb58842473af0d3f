"""The pages behind durable links: the redirect, the watch page, the embeddable player.

    GET /r/<token>         302 to a fresh Recall link (the <video> source and the download)
    GET /r/<token>/watch   an HTML5 player with what the recording is, and a download button
    GET /r/<token>/embed   the bare player, for Slack's video block (framed by Slack only)

Problems get a plain page with the right status, never a stack trace: unknown link 404, not
ready 409 (the page reloads itself), no video 404, deleted or expired 410, Recall down 503.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, url_for

from bot import messages
from bot.media_links import (
    Gone,
    LinkError,
    MediaLinks,
    NotReady,
    RecallDown,
    UnknownLink,
    Video,
    recorded_on,
)
from bot.recording import Recording, from_ts
from bot.slack_directory import SlackDirectory

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


def watch_blueprint(links: MediaLinks, users: SlackDirectory) -> Blueprint:
    pages = Blueprint("watch", __name__)

    @pages.get("/r/<token>")
    def video(token: str) -> Response:
        try:
            found = links.video(token)
        except LinkError as problem:
            return _problem_page(problem, users)
        return _headers(redirect(found.url, code=302), FRAMED_BY_NOBODY)

    @pages.get("/r/<token>/watch")
    def watch(token: str) -> Response:
        return _player("watch.html", token, links, users, FRAMED_BY_NOBODY)

    @pages.get("/r/<token>/embed")
    def embed(token: str) -> Response:
        return _player("embed.html", token, links, users, FRAMED_BY_SLACK)

    return pages


def _player(
    template: str, token: str, links: MediaLinks, users: SlackDirectory, csp: str
) -> Response:
    try:
        # Ask for the video now: a problem gets its page instead of a broken player, and the
        # fresh link is cached for the player's own request a moment later.
        found = links.video(token)
    except LinkError as problem:
        return _problem_page(problem, users)
    body = render_template(template, **_describe(found, users, token))
    return _headers(Response(body, mimetype="text/html"), csp)


def _describe(found: Video, users: SlackDirectory, token: str) -> dict[str, object]:
    rec = found.recording
    started = recorded_on(rec)
    return {
        "title": messages.meeting_name(rec),
        "platform": messages.platform_label(rec.platform),
        "recorded_on": started.strftime("%d %b %Y, %H:%M UTC") if started else None,
        "duration": messages.format_duration(rec.duration_seconds),
        "requester": users.display_name(rec.team_id, rec.user_id),
        "video_src": url_for("watch.video", token=token),
        "download_href": url_for("watch.video", token=token),
    }


def _problem_page(problem: LinkError, users: SlackDirectory) -> Response:
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
    elif isinstance(problem, Gone):
        status, heading = 410, "Recording no longer available"
        advice = _deleted_by(rec, users)
    elif isinstance(problem, RecallDown):
        status, heading = 503, "Temporarily unavailable"
        advice = "Please try again in a minute."
    else:
        heading = "No video"
    body = render_template(
        "problem.html",
        heading=heading,
        title=messages.meeting_name(rec) if rec else None,
        message=str(problem),
        advice=advice,
    )
    response = _headers(Response(body, status=status, mimetype="text/html"), FRAMED_BY_NOBODY)
    if isinstance(problem, RecallDown):
        response.headers["Retry-After"] = "60"
    if isinstance(problem, NotReady):
        response.headers["Refresh"] = "30"
    return response


def _deleted_by(rec: Recording | None, users: SlackDirectory) -> str | None:
    if rec is None or not rec.deleted_at or not rec.deleted_by:
        return None
    when = from_ts(rec.deleted_at)
    who = users.display_name(rec.team_id, rec.deleted_by) or "someone"
    return f"It was deleted by {who}" + (f" on {when:%d %b %Y}." if when else ".")


def _headers(response: Response, csp: str) -> Response:
    response.headers.update(_COMMON_HEADERS)
    response.headers["Content-Security-Policy"] = csp
    return response
