"""The watch page in a real headless Chromium (Debian's `chromium`, driven by Playwright):
the <video> element loads its source from the local Recall fake and reports a duration."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import App

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# CI installs the browser (.ci/run); there a missing browser is a failure, not a skip.
if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )

sync_api = pytest.importorskip("playwright.sync_api")

# Flags for a sandboxed CI machine with no network beyond localhost.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
MEDIA_LOADED = """() => new Promise((resolve) => {
  const video = document.querySelector("video");
  const report = () => resolve({duration: video.duration, readyState: video.readyState,
                                error: video.error && video.error.code});
  if (video.readyState >= 1) return report();
  video.addEventListener("loadedmetadata", report);
  video.addEventListener("error", report);
  setTimeout(report, 15000);
})"""


@pytest.fixture
def browser() -> Iterator[object]:
    assert CHROMIUM, "chromium is required here (CI installs it)"
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


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
