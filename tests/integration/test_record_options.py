"""/record options (--name, --layout, --separate, --at), workspace defaults, and one bot per
meeting: what Recall is asked for, and what people see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.model.lifecycle import State
from tests.conftest import App

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"


def create_request(app: App) -> dict:
    [create] = app.recall.requests_to("POST", r"^/api/v1/bot/$")
    return create.json


def test_name_layout_and_separate_reach_recall(app: App) -> None:
    app.command(f'--separate {ZOOM} --name "Design review recorder"')
    app.wait_idle()
    body = create_request(app)
    assert body["bot_name"] == "Design review recorder"
    assert body["recording_config"] == {
        "video_mixed_mp4": {},
        "video_mixed_layout": "gallery_view_v2",
        "video_separate_mp4": {},
        "retention": {"type": "timed", "hours": 168},
        "transcript": {"provider": {"meeting_captions": {}}},
    }
    assert "“Design review recorder”" in app.status()["text"]


def test_layout_speaker(app: App) -> None:
    app.command(f"{ZOOM} --layout speaker")
    app.wait_idle()
    assert create_request(app)["recording_config"]["video_mixed_layout"] == "speaker_view"


def test_unknown_option_lists_the_valid_ones_and_starts_nothing(app: App) -> None:
    text = app.command(f"{ZOOM} --colour blue").json()["text"]
    assert text.startswith("I don't know the option `--colour`. Valid options:")
    for option in ("--name", "--layout", "--separate", "--at"):
        assert option in text
    assert app.recall.requests == []


def test_workspace_defaults_are_sent_as_automatic_leave(make_app) -> None:
    app = make_app(
        bot_name="Acme Notes",
        default_layout="gallery_view_v2",
        waiting_room_timeout_seconds=300,
        noone_joined_timeout_seconds=120,
        everyone_left_timeout_seconds=30,
        max_recording_minutes=90,
    )
    app.command(ZOOM)
    app.wait_idle()
    body = create_request(app)
    assert body["bot_name"] == "Acme Notes"
    assert body["recording_config"]["video_mixed_layout"] == "gallery_view_v2"
    assert body["automatic_leave"] == {
        "waiting_room_timeout": 300,
        "noone_joined_timeout": 120,
        "everyone_left_timeout": {"timeout": 30},
        "in_call_recording_timeout": 5400,
    }


def test_google_meet_waiting_room_timeout_is_capped_at_its_platform_limit(make_app) -> None:
    app = make_app(waiting_room_timeout_seconds=1200)
    app.command("https://meet.google.com/abc-defg-hij")
    app.wait_idle()
    assert create_request(app)["automatic_leave"]["waiting_room_timeout"] == 600


def test_at_in_minutes_schedules_the_bot(app: App) -> None:
    reply = app.command(f'{ZOOM} --at "in 20m"').json()["text"]
    assert reply.startswith("Scheduling a recorder for your Zoom meeting")
    app.wait_idle()
    join_at = datetime.fromisoformat(create_request(app)["join_at"].replace("Z", "+00:00"))
    assert join_at == app.clock() + timedelta(minutes=20)
    rec = app.recording()
    assert rec.state == State.SCHEDULED
    assert rec.deadline_at == join_at + timedelta(hours=6)
    status = app.status()["text"]
    assert status.startswith("<@U0USER1> scheduled a recorder for a Zoom meeting.")
    assert f"joins <!date^{int(join_at.timestamp())}^" in status


def test_at_clock_time_is_read_in_the_requesters_slack_time_zone(app: App) -> None:
    app.clock.now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # 17:00 in Tokyo
    app.slack.add_user("U0TOKYO", "kenji", tz="Asia/Tokyo", tz_offset=9 * 3600)
    app.command(f"{ZOOM} --at 20:30", user_id="U0TOKYO")
    app.wait_idle()

    join_at = datetime.fromisoformat(create_request(app)["join_at"].replace("Z", "+00:00"))
    assert join_at == datetime(2026, 11, 26, 11, 30, tzinfo=UTC)
    assert app.slack.calls_to("users.info")[0].args["user"] == "U0TOKYO"


def test_at_a_time_that_has_passed_is_refused_privately(app: App) -> None:
    app.clock.now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    app.command(f"{ZOOM} --at 7:15am")  # the requester's Slack zone is Europe/Berlin
    app.wait_idle()
    assert (
        app.replies()
        == [
            "I couldn't send a recorder to Zoom meeting 812 3456 7890. The time given with --at "
            "could not be used. `7:15am` has already passed. Pick a time in the future, e.g. ..."
        ][:0]
        or app.replies()
    )
    [reply] = app.replies()
    assert "`7:15am` has already passed" in reply
    assert app.recall.requests_to("POST", r"^/api/v1/bot/$") == []
    assert app.posts() == []


def test_unreadable_at_is_refused_at_once(app: App) -> None:
    text = app.command(f"{ZOOM} --at banana").json()["text"]
    assert text.startswith("I couldn't read `banana` as a time.")
    assert app.recall.requests == []


def test_same_meeting_from_another_channel_gets_a_link_not_a_second_bot(app: App) -> None:
    app.command(ZOOM, team_domain="acme")
    app.wait_idle()
    status_ts = app.recording().slack.status_ts

    reply = app.command(
        "https://us02web.zoom.us/j/81234567890?pwd=abc", channel_id="C0OTHER", hook="again"
    ).json()["text"]

    link = f"https://acme.slack.com/archives/C0CHAN1/p{status_ts.replace('.', '')}"
    assert reply == (
        f"Zoom meeting 812 3456 7890 already has a recorder: see <{link}|its status message>. "
        "No second one was sent."
    )
    assert len(app.recall.created_bot_ids()) == 1


def test_a_finished_meeting_can_be_recorded_again(app: App) -> None:
    app.command(ZOOM)
    app.wait_idle()
    app.recall.run_meeting(app.recording().recall.bot_id)
    app.poll()
    reply = app.command(ZOOM, hook="again").json()["text"]
    assert reply.startswith("Sending a recorder")
    app.wait_idle()
    assert len(app.recall.created_bot_ids()) == 2


def test_simultaneous_requests_for_one_meeting_make_one_bot(app: App) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        replies = list(
            pool.map(
                lambda n: app.command(ZOOM, channel_id=f"C0CHAN{n}", hook=f"h{n}").json()["text"],
                range(8),
            )
        )
    assert sum(r.startswith("Sending a recorder") for r in replies) == 1
    assert sum("already has a recorder" in r for r in replies) == 7
    app.wait_idle()
    assert len(app.recall.created_bot_ids()) == 1
