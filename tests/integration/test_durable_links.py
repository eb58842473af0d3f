"""Durable links: PUBLIC_BASE_URL/r/<token> redirects to a fresh Recall link, the watch page,
clear error pages, revocation, and unguessable tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import httpx
import pytest

from bot.model.lifecycle import State
from tests.conftest import App

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"
PUBLIC = "https://rec.example.com"


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    return make_app(public_base_url=PUBLIC)


def ready_recording(app: App, link: str = ZOOM, hook: str = "cmd") -> str:
    """Record a meeting to the end; returns the recording's share token."""
    app.command(link, hook=hook)
    app.wait_idle()
    rec = [r for r in app.runtime.store.recordings.all() if r.state != State.READY][-1]
    app.recall.run_meeting(rec.recall.bot_id, minutes=42)
    app.poll()
    return app.runtime.store.recordings.get(rec.id).sharing.token


def visit(app: App, path: str) -> httpx.Response:
    return httpx.get(f"{app.url}{path}", follow_redirects=False)


def recall_gets(app: App, bot_id: str) -> int:
    return len(app.recall.requests_to("GET", rf"^/api/v1/bot/{bot_id}/$"))


def test_ready_message_leads_with_the_durable_link(app: App) -> None:
    token = ready_recording(app)
    status = app.status()
    watch = f"{PUBLIC}/r/{token}/watch"
    assert status["text"].endswith(f"Watch: {watch}")
    section = status["blocks"][0]
    assert (
        f"<{watch}|Watch the recording> · <{PUBLIC}/r/{token}|Download MP4>"
        in section["text"]["text"]
    )
    assert section["accessory"]["url"] == watch
    # Recall's signed link is never posted: revoking our link really revokes access.
    assert "X-Amz" not in str(app.slack.calls) and "/media/" not in str(app.slack.calls)


def test_link_redirects_to_a_fresh_recall_link_and_caches_it_while_comfortably_valid(
    app: App,
) -> None:
    token = ready_recording(app)
    bot_id = app.recording().recall.bot_id
    first = visit(app, f"/r/{token}")
    assert first.status_code == 302
    assert first.headers["location"].startswith(f"{app.recall.base_url}/media/{bot_id}.mp4?")
    assert first.headers["cache-control"] == "no-store"
    assert first.headers["referrer-policy"] == "no-referrer"
    gets = recall_gets(app, bot_id)

    again = visit(app, f"/r/{token}")
    assert again.headers["location"] == first.headers["location"]
    assert recall_gets(app, bot_id) == gets  # served from the cache

    app.recall.expire_download_urls()  # Recall's links die after ~5 hours
    app.clock.advance(hours=4, minutes=30)  # less than an hour left on ours: fetch anew
    later = visit(app, f"/r/{token}")
    assert later.headers["location"] != first.headers["location"]
    assert recall_gets(app, bot_id) == gets + 1
    assert httpx.get(later.headers["location"]).status_code == 200
    assert httpx.get(first.headers["location"]).status_code == 403


def test_watch_page_shows_the_player_and_what_was_recorded(app: App) -> None:
    token = ready_recording(app)
    page = visit(app, f"/r/{token}/watch")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = unescape(page.text)
    assert re.search(rf'<video[^>]*src="/r/{token}"', html)
    assert "<h1>Zoom meeting 812 3456 7890</h1>" in html
    assert "Zoom" in html and "42 min" in html and "UTC" in html
    assert "recorded for ada" in html  # the requester's Slack display name
    assert f'href="/r/{token}">Download MP4</a>' in html
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"


def test_watch_page_details_tell_what_happened(app: App) -> None:
    app.slack.add_user("U0ADMIN", "Grace Admin", is_admin=True)
    app.command(ZOOM)
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.push_status(bot_id, "in_call_recording")
    app.poll()
    app.press("stop_recording", user_id="U0ADMIN")
    app.wait_for_reply("press")
    assert app.runtime.workers.wait(10)  # the bot was asked to leave before the meeting ends
    app.recall.run_meeting(bot_id, minutes=5)
    app.poll()
    app.poll()

    page = visit(app, f"/r/{app.recording().sharing.token}/watch")

    assert "<summary>What happened</summary>" in page.text
    happened = re.findall(r'<li><span class="meta">[^<]+</span> · ([^<]+)</li>', page.text)
    assert happened == [
        "asked for by ada",
        "the recorder is joining",
        "recording",
        "asked to stop by Grace Admin",
        "the meeting ended; the video is being prepared",
        "the video is ready",
    ]


def test_embed_page_may_only_be_framed_by_slack(app: App) -> None:
    token = ready_recording(app)
    page = visit(app, f"/r/{token}/embed")
    assert page.status_code == 200
    assert f'src="/r/{token}"' in page.text
    assert "frame-ancestors https://*.slack.com" in page.headers["content-security-policy"]


@pytest.mark.parametrize("page", ["", "/watch", "/embed"])
def test_unknown_link_is_a_plain_404(app: App, page: str) -> None:
    response = visit(app, f"/r/{'x' * 22}{page}")
    assert response.status_code == 404
    assert "There is no recording at this address." in response.text
    assert "Traceback" not in response.text


def test_recording_in_progress_says_not_ready_and_reloads(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    token = app.recording().sharing.token
    response = visit(app, f"/r/{token}/watch")
    assert response.status_code == 409
    assert "The video isn't ready yet." in unescape(response.text)
    assert response.headers["refresh"] == "30"


def test_failed_recording_explains_there_is_no_video(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    app.recall.end_without_video(app.recording().recall.bot_id, "timeout_exceeded_waiting_room")
    app.poll()
    response = visit(app, f"/r/{app.recording().sharing.token}")
    assert response.status_code == 404
    assert (
        "This meeting was not recorded. Nobody let the bot into the meeting in time."
        in response.text
    )


def test_media_expired_at_recall_is_gone(app: App) -> None:
    token = ready_recording(app)
    app.recall.expire_media(app.recording().recall.bot_id)
    app.clock.advance(hours=5)  # past our cached link
    response = visit(app, f"/r/{token}/watch")
    assert response.status_code == 410
    assert "This recording has expired: Recall deleted the video." in response.text


def test_recall_down_is_a_503_with_retry_advice(app: App) -> None:
    token = ready_recording(app)
    bot_id = app.recording().recall.bot_id
    app.clock.advance(hours=5)
    app.recall.inject("GET", rf"^/api/v1/bot/{bot_id}/$", 503)
    response = visit(app, f"/r/{token}")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "60"
    assert "Please try again in a minute." in response.text


def test_requester_deletes_a_recording_everywhere(app: App) -> None:
    token = ready_recording(app)
    bot_id = app.recording().recall.bot_id
    app.command(f"delete {PUBLIC}/r/{token}/watch", hook="delete")
    assert app.wait_for_reply("delete") == (
        "Deleted the recording of Zoom meeting 812 3456 7890: its link no longer works, "
        "and Recall is deleting the video."
    )
    app.wait_idle()

    response = visit(app, f"/r/{token}")
    assert response.status_code == 410
    assert "This recording was deleted." in response.text
    assert "It was deleted by ada" in response.text
    assert app.recall.requests_to("POST", rf"^/api/v1/bot/{bot_id}/delete_media/$")
    assert app.status()["text"] == (
        "The recording of Zoom meeting 812 3456 7890 was deleted by <@U0USER1>."
    )
    assert app.recording().schedule.next_poll_at is None


def test_deleting_is_retried_while_recall_is_down(app: App) -> None:
    token = ready_recording(app)
    bot_id = app.recording().recall.bot_id
    app.recall.inject("POST", rf"/api/v1/bot/{bot_id}/delete_media/$", 503)
    app.command(f"delete {token}", hook="delete")
    app.wait_for_reply("delete")
    app.wait_idle()
    assert visit(app, f"/r/{token}").status_code == 410  # revoked at once regardless
    assert app.recording().sharing.media_deleted_at is None

    app.poll(minutes=1)
    assert app.recording().sharing.media_deleted_at is not None
    assert len(app.recall.requests_to("POST", r"delete_media")) == 2


def test_only_the_requester_or_an_admin_may_delete(app: App) -> None:
    app.slack.add_user("U0STRANGER", "mallory")
    app.slack.add_user("U0ADMIN", "grace", is_admin=True)
    token = ready_recording(app)

    app.command(f"delete {token}", user_id="U0STRANGER", hook="stranger")
    assert app.wait_for_reply("stranger") == (
        "Only <@U0USER1>, who asked for this recording, or a workspace admin can delete it."
    )
    assert visit(app, f"/r/{token}").status_code == 302

    app.command(f"delete {ZOOM}", user_id="U0ADMIN", hook="admin")  # by the meeting's link
    assert app.wait_for_reply("admin").startswith("Deleted the recording of Zoom meeting")
    assert visit(app, f"/r/{token}").status_code == 410


def test_delete_of_something_unknown_says_so(app: App) -> None:
    app.command("delete https://rec.example.com/r/nothing-here-at-all", hook="d")
    assert app.wait_for_reply("d").startswith("I couldn't find a finished recording for that.")


def test_tokens_are_unguessable(app: App) -> None:
    tokens = [
        ready_recording(app, f"https://zoom.us/j/8123456789{n}?pwd=a", f"h{n}") for n in range(6)
    ]
    assert len(set(tokens)) == 6
    for rec in app.runtime.store.recordings.all():
        token = rec.sharing.token
        assert len(token) >= 22  # 16 random bytes, URL-safe base64
        assert rec.id not in token and rec.recall.bot_id.replace("-", "") not in token
        # Neither our id nor Recall's bot id opens anything.
        assert visit(app, f"/r/{rec.id}").status_code == 404
        assert visit(app, f"/r/{rec.recall.bot_id}").status_code == 404
    # No shared prefix: not a counter or a timestamp.
    assert len({t[:4] for t in tokens}) == 6


def test_video_block_when_slack_may_embed_our_host(make_app: Callable[..., App]) -> None:
    app = make_app(public_base_url=PUBLIC, unfurl_domains=("rec.example.com",))
    token = ready_recording(app)
    [video] = [b for b in app.status()["blocks"] if b["type"] == "video"]
    assert video["video_url"] == f"{PUBLIC}/r/{token}/embed"
    assert video["title_url"] == f"{PUBLIC}/r/{token}/watch"
    assert video["thumbnail_url"] == f"{PUBLIC}/static/thumbnail.png"
    assert visit(app, "/static/thumbnail.png").headers["content-type"] == "image/png"


def test_video_block_refused_by_slack_falls_back_to_the_plain_message(
    make_app: Callable[..., App],
) -> None:
    app = make_app(public_base_url=PUBLIC, unfurl_domains=("rec.example.com",))
    app.slack.inject("chat.update", error="invalid_blocks")
    token = ready_recording(app)
    types = [b["type"] for b in app.status()["blocks"]]
    assert "video" not in types and types[0] == "section"
    assert app.status()["text"].endswith(f"Watch: {PUBLIC}/r/{token}/watch")


def test_no_video_block_for_a_plain_http_address(make_app: Callable[..., App]) -> None:
    app = make_app(public_base_url="http://rec.example.com", unfurl_domains=("rec.example.com",))
    ready_recording(app)
    assert "video" not in [b["type"] for b in app.status()["blocks"]]
