"""A restart in the middle loses nothing and posts nothing twice; two pollers never double-post."""

from __future__ import annotations

import threading
from collections.abc import Callable

from bot.model.lifecycle import State
from bot.workflow.polling import poll_once
from tests.conftest import App

ZOOM = "https://zoom.us/j/81234567890?pwd=abc"


def ready_posts(app: App) -> list[str]:
    """Ready notices: the thread replies that tell people the video is there."""
    return [text for text in app.thread() if "is ready" in text]


def test_open_recording_resumes_after_restart_and_posts_once(
    make_app: Callable[..., App],
) -> None:
    before = make_app()
    before.command(ZOOM)
    before.wait_idle()
    bot_id = before.recording().recall.bot_id
    before.runtime.stop()  # the deploy: the process goes away mid-meeting

    before.recall.run_meeting(bot_id, minutes=30)
    after = make_app()  # same database file, fresh process state
    after.poll()
    after.poll()

    assert len(ready_posts(after)) == 1
    assert after.recording().state == State.READY
    assert len(after.recall.created_bot_ids()) == 1


def test_request_saved_before_a_crash_is_still_sent(make_app: Callable[..., App]) -> None:
    before = make_app()
    before.recall.inject("POST", r"^/api/v1/bot/$", 503, times=3)  # Recall down at /record time
    before.command(ZOOM)
    before.wait_idle()
    assert before.recording().state == State.REQUESTED
    before.runtime.stop()

    after = make_app()
    after.poll(minutes=2)

    assert len(after.recall.created_bot_ids()) == 1
    assert after.recording().state == State.JOINING


def test_step_interrupted_by_a_crash_is_retried_after_its_lease(
    make_app: Callable[..., App],
) -> None:
    app = make_app()
    app.command(ZOOM)
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.run_meeting(bot_id)
    # A process claims the recording and dies before doing anything with it.
    app.clock.advance(seconds=15)
    claimed, _ = app.runtime.store.recordings.claim_due(app.clock(), app.lease)
    assert [r.recall.bot_id for r in claimed] == [bot_id]

    app.poll(seconds=20)  # lease still held: nobody touches it
    assert ready_posts(app) == []
    app.poll(seconds=20)  # the dead process renewed nothing: its lease ran out
    assert len(ready_posts(app)) == 1


def test_a_working_process_keeps_its_leases_alive(make_app: Callable[..., App]) -> None:
    app = make_app()
    app.command(ZOOM)
    app.wait_idle()
    app.recall.run_meeting(app.recording().recall.bot_id)
    app.clock.advance(seconds=15)
    store, lease = app.runtime.store, app.lease
    [held], _ = store.recordings.claim_due(app.clock(), lease)
    # A step that takes long: the heartbeat renews what this process holds.
    app.clock.advance(seconds=25)
    assert store.recordings.extend_held_leases(app.clock() + lease) == 1
    app.poll(seconds=20)  # past the first lease, inside the renewed one
    assert ready_posts(app) == []
    store.recordings.release(held, app.clock())
    assert store.recordings.extend_held_leases(app.clock() + lease) == 0
    app.poll(seconds=1)
    assert len(ready_posts(app)) == 1


def test_two_pollers_on_one_database_post_once(make_app: Callable[..., App]) -> None:
    first, second = make_app(), make_app()
    for n in range(5):
        first.command(f"https://zoom.us/j/8123456789{n}?pwd=abc", hook=f"h{n}")
    first.wait_idle()
    for bot_id in first.recall.created_bot_ids():
        first.recall.run_meeting(bot_id)
    first.clock.advance(seconds=15)

    barrier = threading.Barrier(2)

    def run(app: App) -> None:
        barrier.wait()
        poll_once(app.runtime.steps, app.runtime.survey, app.clock())
        app.runtime.store.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(ready_posts(first)) == 5
    assert {r.state for r in first.runtime.store.recordings.all()} == {State.READY}
