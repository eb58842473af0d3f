"""The watch page in a real headless Chromium (Debian's `chromium`, driven by Playwright):
the <video> element loads its source from the local Recall fake and reports a duration."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import App

MEDIA_LOADED = """() => new Promise((resolve) => {
  const video = document.querySelector("video");
  const report = () => resolve({duration: video.duration, readyState: video.readyState,
                                error: video.error && video.error.code});
  if (video.readyState >= 1) return report();
  video.addEventListener("loadedmetadata", report);
  video.addEventListener("error", report);
  setTimeout(report, 15000);
})"""


def test_watch_page_plays_the_recording_from_recall(
    make_app: Callable[..., App], browser: object
) -> None:
    app = make_app(public_base_url="https://rec.example.com")
    app.command("https://zoom.us/j/81234567890?pwd=abc")
    app.wait_idle()
    bot_id = app.recording().recall.bot_id
    app.recall.run_meeting(bot_id, minutes=3)
    app.poll()
    token = app.recording().sharing.token

    page = browser.new_page()
    page.goto(f"{app.url}/r/{token}/watch")
    media = page.evaluate(MEDIA_LOADED)

    assert media["error"] is None
    assert media["readyState"] >= 1
    assert media["duration"] == pytest.approx(3.0, abs=0.1)  # tests/data/sample.mp4
    assert app.recall.requests_to("GET", rf"^/media/{bot_id}\.mp4$")
    assert page.title() == "Zoom meeting 812 3456 7890"
    page.close()
