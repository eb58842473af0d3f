"""Transcripts from Recall to the channel and the web, over real HTTP: fetched when the video is
ready (Recall's download format, from the Recall fake), kept in SQLite, shown in the ready
message and its thread reply, served as WebVTT captions (parsed by webvtt-py) and plain text,
and beside the player; empty, failed and late transcripts; non-ASCII names, overlapping
speakers, hostile text, a three-hour meeting; deletion; what reaches the logs."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from html import unescape

import httpx
import pytest
import webvtt

from bot.app.operations import recording_history
from bot.model.lifecycle import State
from tests.conftest import App
from tests.fakes.recall_transcripts import segment, span
from tests.transcripts import PUBLIC, long_meeting, record_meeting, settle


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    return make_app(public_base_url=PUBLIC)


def get(app: App, path: str) -> httpx.Response:
    return httpx.get(f"{app.url}{path}", follow_redirects=False, timeout=10)


def ready_reply(app: App) -> dict:
    [reply] = [m for m in app.slack.messages("C0CHAN1") if m.get("subtype") == "thread_broadcast"]
    return reply


def test_ready_message_and_its_reply_carry_the_watch_and_transcript_links(app: App) -> None:
    rec = record_meeting(app)
    token = rec.sharing.token
    watch = f"{PUBLIC}/r/{token}/watch"

    status = app.status_text()
    assert f"<{watch}#transcript|Transcript>" in status
    # Talk time from Recall's speaker timeline, whose last span (Bob's) runs to the end of the
    # one-minute recording; every name escaped for mrkdwn.
    assert "Speakers: Bob &lt;b&gt;" in status
    assert "Ada Lovelace" in status and "Zoë Ñandú-Łukasz" in status
    reply = ready_reply(app)["text"]
    assert reply.startswith("<@U0USER1> your recording of Zoom meeting 812 3456 7890 is ready")
    assert f"<{watch}|Watch the recording>" in reply
    assert f"<{watch}#transcript|Transcript>" in reply
    assert "Speakers:" in reply


def test_captions_are_webvtt_one_cue_per_phrase_with_the_speaker(app: App) -> None:
    token = record_meeting(app).sharing.token

    response = get(app, f"/r/{token}/captions.vtt")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/vtt; charset=utf-8"
    captions = webvtt.from_buffer(io.StringIO(response.text))
    cues = list(captions)
    assert [c.start for c in cues[:3]] == ["00:00:00.000", "00:00:01.000", "00:00:04.000"]
    assert cues[1].text == "Welcome everyone to the budget review."
    assert cues[1].voice == "Ada Lovelace"
    assert cues[0].voice is None  # Recall could not tell who spoke first
    assert any(c.voice == "Zoë Ñandú-Łukasz" and "Ça va" in c.text for c in cues)
    assert all(c.start_in_seconds < c.end_in_seconds for c in cues)
    # Hostile words stay words: escaped for WebVTT, so no tag, no early end of a cue.
    raw = response.text
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    assert "--&gt; done." in raw and "<v Bob &lt;b&gt;>" in raw
    # webvtt-py leaves character references as written; a browser decodes them.
    said = " ".join(c.text for c in cues if unescape(c.voice or "") == "Bob <b>")
    assert "<script>window.pwned=1</script> <!channel>" in unescape(said)


def test_overlapping_speakers_keep_their_own_cues(app: App) -> None:
    both = [
        segment("Ada", "I think we should ship on Friday.", start=1.0, seconds_per_word=0.5),
        segment("Bob", "Wait wait not Friday please.", start=2.0, seconds_per_word=0.5),
    ]
    token = record_meeting(app, both, timeline=None).sharing.token

    cues = list(webvtt.from_buffer(io.StringIO(get(app, f"/r/{token}/captions.vtt").text)))

    assert [(c.voice, c.start) for c in cues] == [("Ada", "00:00:01.000"), ("Bob", "00:00:02.000")]
    assert cues[0].end_in_seconds > cues[1].start_in_seconds  # they talk over each other
    # Without a speaker timeline, talk time comes from the phrases themselves.
    assert "Speakers: Ada 5" in app.status_text() and "Bob 4" in app.status_text()


def test_transcript_downloads_as_plain_text_lines(app: App) -> None:
    token = record_meeting(app).sharing.token

    response = get(app, f"/r/{token}/transcript.txt")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="transcript-')
    lines = response.text.splitlines()
    assert lines[0] == "[00:00:00] Unknown speaker: so we can start."
    assert lines[1] == (
        "[00:00:01] Ada Lovelace: Welcome everyone to the budget review. "
        "The hiring plan comes next."
    )
    assert lines[2] == "[00:00:08] Bob <b>: Thanks Ada. The budget looks fine to me."
    assert lines[3].startswith("[00:00:12] Zoë Ñandú-Łukasz: Można zacząć?")


def test_watch_page_has_the_captions_track_and_the_transcript_beside_the_player(app: App) -> None:
    token = record_meeting(app).sharing.token

    page = get(app, f"/r/{token}/watch?t=8")

    assert page.status_code == 200
    html = page.text
    assert f'<track kind="captions" src="/r/{token}/captions.vtt"' in html
    assert re.search(r"<track [^>]*\bdefault>", html)
    assert f'src="/r/{token}#t=8"' in html  # ?t= starts the video there
    assert '<script src="/static/transcript.js"></script>' in html
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"].split("script-src")[1]
    assert '<a class="line" href="?t=8" data-start="8.00">Thanks Ada.' in html
    assert "<strong>Zoë Ñandú-Łukasz</strong>" in html
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html and "<script>window" not in html
    assert "<strong>Bob &lt;b&gt;</strong>" in html
    assert 'aria-label="Share of talking time"' in html
    assert f'href="/r/{token}/transcript.txt">Download transcript' in html
    assert get(app, "/static/transcript.js").status_code == 200


@pytest.mark.parametrize("odd", ["\u00b2", "\u0663", "-5", "1e3", "12.5", "9" * 12])
def test_a_start_or_part_that_is_not_a_plain_number_is_ignored_or_not_found(
    app: App, odd: str
) -> None:
    token = record_meeting(app).sharing.token

    page = get(app, f"/r/{token}/watch?t={odd}")
    assert page.status_code == 200
    assert f'src="/r/{token}"' in page.text  # from the start
    # Python's isdigit() takes "²" and "٣" for digits; int() refuses the first: no 500.
    assert get(app, f"/r/{token}/watch?part={odd}").status_code == 404
    assert get(app, f"/r/{token}?part={odd}").status_code == 404


def test_empty_transcript_never_holds_back_the_video_and_says_so(app: App) -> None:
    rec = record_meeting(app, [])

    assert rec.state == State.READY and rec.slack.notified_at
    assert "The transcript is empty" in app.status_text()
    assert "Transcript>" not in app.status_text()
    token = rec.sharing.token
    response = get(app, f"/r/{token}/captions.vtt")
    assert response.status_code == 404
    assert response.text.startswith("The transcript is empty")
    page = get(app, f"/r/{token}/watch").text
    assert "<track" not in page and "The transcript is empty" in page


def test_failed_transcript_is_reported_in_plain_words(app: App) -> None:
    rec = record_meeting(app, None, status="failed")

    assert rec.slack.notified_at
    assert "Recall could not make a transcript of this meeting" in app.status_text()
    assert get(app, f"/r/{rec.sharing.token}/transcript.txt").status_code == 404


def test_no_transcript_at_all_is_said_after_waiting(app: App) -> None:
    rec = record_meeting(app, None)
    assert "transcript" not in app.status_text().lower()  # still hoping for one
    assert get(app, f"/r/{rec.sharing.token}/captions.vtt").status_code == 409

    app.clock.advance(minutes=31)
    app.runtime.transcript_work.follow_due()
    settle(app)

    assert "No transcript: the meeting's own captions were not available" in app.status_text()


def test_a_transcript_that_comes_later_is_fetched_by_the_next_look(app: App) -> None:
    rec = record_meeting(app, None, status="processing")
    assert rec.slack.notified_at  # the video did not wait for it

    app.recall.set_transcript(rec.recall.bot_id, [segment("Ada", "Late but here.", start=3)])
    app.clock.advance(minutes=1)
    app.runtime.transcript_work.follow_due()
    settle(app)

    assert "Transcript>" in app.status_text()
    assert "Transcript>" in ready_reply(app)["text"]  # the reply was edited to carry it
    assert "Late but here." in get(app, f"/r/{rec.sharing.token}/transcript.txt").text
    assert app.runtime.store.recordings.get(rec.id).schedule.next_poll_at is None


def test_a_three_hour_meeting_is_captioned_and_listed_whole(app: App) -> None:
    meeting = long_meeting(hours=3)
    token = record_meeting(app, meeting, timeline=None, minutes=180).sharing.token

    cues = list(webvtt.from_buffer(io.StringIO(get(app, f"/r/{token}/captions.vtt").text)))
    words = sum(len(s["words"]) for s in meeting)

    assert sum(len(c.text.split()) for c in cues) == words
    assert cues[-1].start_in_seconds > 3 * 3600 - 60
    assert all(c.end_in_seconds - c.start_in_seconds <= 6.5 for c in cues)
    page = get(app, f"/r/{token}/watch")
    assert page.status_code == 200 and page.text.count('class="line"') == len(cues)


def test_delete_revokes_the_transcript_and_removes_its_rows_and_index(app: App) -> None:
    rec = record_meeting(app)
    token = rec.sharing.token
    store = app.runtime.store

    app.command(f"delete {PUBLIC}/r/{token}", hook="del")
    app.wait_for_reply("del")

    assert get(app, f"/r/{token}/captions.vtt").status_code == 410
    assert get(app, f"/r/{token}/transcript.txt").status_code == 410
    app.poll()
    assert store.transcripts.summary(rec.id) is None
    db = store.database.db
    assert db.execute("SELECT COUNT(*) FROM transcript_lines").fetchone()[0] == 0
    assert (
        db.execute(
            "SELECT COUNT(*) FROM transcript_lines_fts WHERE transcript_lines_fts MATCH 'budget'"
        ).fetchone()[0]
        == 0
    )


def test_a_video_gone_at_recall_takes_its_transcript_links_with_it(app: App) -> None:
    token = record_meeting(app).sharing.token
    assert get(app, f"/r/{token}/captions.vtt").status_code == 200

    app.recall.expire_media(app.recording().recall.bot_id)
    app.clock.advance(hours=5)  # past the link to the video kept from the look above

    for path in ("", "/captions.vtt", "/transcript.txt"):
        assert get(app, f"/r/{token}{path}").status_code == 410
    assert "Recall deleted the video" in get(app, f"/r/{token}/transcript.txt").text


def test_a_bot_recall_no_longer_has_takes_its_transcript_once_and_says_so(app: App) -> None:
    rec = record_meeting(app)
    token, bot_id = rec.sharing.token, rec.recall.bot_id
    store = app.runtime.store
    updates = len(app.slack.calls_to("chat.update"))
    app.recall.inject("GET", rf"^/api/v1/bot/{bot_id}/$", 404)  # Recall no longer knows it

    page = get(app, f"/r/{token}/watch")
    assert page.status_code == 410
    assert "Recall no longer has this recording." in page.text
    settle(app)  # the recording's step, on the worker pool

    assert store.transcripts.summary(rec.id) is None  # its rows and index entries are gone
    db = store.database.db
    assert db.execute("SELECT COUNT(*) FROM transcript_lines").fetchone()[0] == 0
    fts = "SELECT COUNT(*) FROM transcript_lines_fts WHERE transcript_lines_fts MATCH 'budget'"
    assert db.execute(fts).fetchone()[0] == 0
    assert app.status()["text"] == (
        "The recording of Zoom meeting 812 3456 7890 is no longer available: Recall deleted "
        "the video, so its transcript was deleted too."
    )
    assert "Watch" not in app.status_text() and "Transcript" not in app.status_text()
    [lost] = [e for e in store.events.of(rec.id) if e.cause.kind == "media_lost"]
    assert (lost.from_state, lost.to_state, lost.cause.detail) == (
        State.READY,
        State.READY,
        "not_found",
    )
    history, _ = recording_history(app.runtime.settings, rec.id)  # `slack-record list --events`
    assert history.splitlines()[-1].endswith(
        "ready         gone: Recall no longer has the video, so its transcript was deleted  "
        "[media_lost: not_found]"
    )

    # Once: Recall is not asked again (the 404 was a single answer: asking again would get
    # the video), the transcript's links answer 410 too, and Slack is not told twice.
    gets = len(app.recall.requests_to("GET", rf"^/api/v1/bot/{bot_id}/$"))
    for path in ("", "/watch", "/captions.vtt", "/transcript.txt"):
        assert get(app, f"/r/{token}{path}").status_code == 410
    assert "Its transcript went with it." in get(app, f"/r/{token}/transcript.txt").text
    app.poll(minutes=5)
    settle(app)
    assert len(app.recall.requests_to("GET", rf"^/api/v1/bot/{bot_id}/$")) == gets
    assert len(app.slack.calls_to("chat.update")) == updates + 1
    assert len([e for e in store.events.of(rec.id) if e.cause.kind == "media_lost"]) == 1
    assert app.recording().schedule.next_poll_at is None


def test_the_transcript_is_served_while_recall_cannot_be_asked(app: App) -> None:
    token = record_meeting(app).sharing.token
    bot_id = app.recording().recall.bot_id
    app.recall.inject("GET", rf"^/api/v1/bot/{bot_id}/$", 503, times=10)

    assert get(app, f"/r/{token}").status_code == 503
    assert get(app, f"/r/{token}/captions.vtt").text.startswith("WEBVTT")  # it is ours


def test_download_links_get_no_api_key_and_are_never_kept(app: App) -> None:
    rec = record_meeting(app)

    downloads = app.recall.requests_to("GET", r"^/media/docs/")
    assert len(downloads) == 2  # the transcript and the speaker timeline
    assert all("authorization" not in d.headers for d in downloads)
    signatures = [d.query["X-Amz-Signature"][0] for d in downloads]
    db = app.runtime.store.database.db
    kept = str(db.execute("SELECT * FROM transcripts").fetchall())
    kept += str(db.execute("SELECT * FROM recordings WHERE id = ?", [rec.id]).fetchall())
    assert not any(signature in kept for signature in signatures)


def test_a_download_that_fails_is_tried_again(app: App) -> None:
    app.recall.inject("GET", r"^/media/docs/", 503, times=1)
    rec = record_meeting(app, timeline=None)
    assert "Transcript>" not in app.status_text()

    app.clock.advance(minutes=1)
    app.runtime.transcript_work.follow_due()
    settle(app)

    assert "Transcript>" in app.status_text()
    assert app.runtime.store.transcripts.summary(rec.id).ready


def test_speaker_timeline_with_odd_entries_still_gives_talk_time(app: App) -> None:
    odd = [span("Ada", 0.0, 30.0), {"participant": None}, "junk", span("Bob", 30.0, 20.0)]
    record_meeting(app, timeline=odd)

    assert "Speakers: Ada 100%" in app.status_text()
    assert app.recording().recall.bot_id


def test_transcripts_can_be_turned_off(make_app: Callable[..., App]) -> None:
    app = make_app(public_base_url=PUBLIC, transcript_provider="none")
    rec = record_meeting(app, None)

    [create] = app.recall.requests_to("POST", r"^/api/v1/bot/$")
    assert "transcript" not in create.json["recording_config"]
    assert app.runtime.store.transcripts.get(rec.id) is None
    assert not app.recall.requests_to("GET", r"^/media/docs/")
    assert "transcript" not in app.status_text().lower()
