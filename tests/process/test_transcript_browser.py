"""The transcript on the watch page in a real headless Chromium (Debian's `chromium`, driven by
Playwright): the captions track loads, is shown by default, and the right cue is active at the
right moment of the video; `?t=` starts the video there; a line of the transcript seeks the
video; the search box filters and marks; hostile words stay words, and the page's
Content-Security-Policy lets only our own script run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import App
from tests.fakes.recall_transcripts import segment
from tests.transcripts import PUBLIC, record_meeting

# tests/data/sample.mp4 lasts three seconds: the meeting's words fit in it.
SAID = [
    segment("Ada Lovelace", "Hello and welcome.", start=0.2, seconds_per_word=0.3),
    segment(
        "Bob <i>",
        "<script>window.pwned=1</script> budget time",
        start=1.6,
        seconds_per_word=0.25,
    ),
]
TRACK_LOADED = """() => new Promise((resolve) => {
  const element = document.querySelector("track");
  const video = document.querySelector("video");
  const report = () => resolve({
    readyState: element.readyState, mode: video.textTracks[0].mode,
    kind: video.textTracks[0].kind,
    cues: video.textTracks[0].cues ? video.textTracks[0].cues.length : -1,
  });
  if (element.readyState === 2) return report();
  element.addEventListener("load", report);
  element.addEventListener("error", report);
  setTimeout(report, 15000);
})"""
ACTIVE_AT = """(seconds) => new Promise((resolve) => {
  const video = document.querySelector("video");
  const track = video.textTracks[0];
  const report = () => resolve(Array.from(track.activeCues || []).map((cue) => cue.text));
  video.addEventListener("seeked", () => setTimeout(report, 200), {once: true});
  video.currentTime = seconds;
})"""
METADATA = """() => new Promise((resolve) => {
  const video = document.querySelector("video");
  const report = () => resolve(video.currentTime);
  if (video.readyState >= 1) return report();
  video.addEventListener("loadedmetadata", () => setTimeout(report, 200));
  setTimeout(report, 15000);
})"""


@pytest.fixture
def watched(make_app: Callable[..., App]) -> tuple[App, str]:
    app = make_app(public_base_url=PUBLIC)
    return app, record_meeting(app, SAID, timeline=None).sharing.token


def test_captions_track_loads_and_its_cues_are_active_at_the_right_time(
    watched: tuple[App, str], browser: Any
) -> None:
    app, token = watched
    page = browser.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{app.url}/r/{token}/watch")

    track = page.evaluate(TRACK_LOADED)
    assert track == {"readyState": 2, "mode": "showing", "kind": "captions", "cues": 2}

    assert page.evaluate(ACTIVE_AT, 0.5) == ["<v Ada Lovelace>Hello and welcome.</v>"]
    [bob] = page.evaluate(ACTIVE_AT, 2.0)
    assert bob.startswith("<v Bob &lt;i&gt;>&lt;script&gt;window.pwned=1&lt;/script&gt;")
    assert page.evaluate(ACTIVE_AT, 1.45) == []  # between the two phrases
    assert page.evaluate("() => window.pwned") is None  # hostile words never ran
    assert refused == []  # our own script was allowed, nothing else was attempted
    page.close()


def test_t_starts_the_video_there_and_a_line_seeks_it(
    watched: tuple[App, str], browser: Any
) -> None:
    app, token = watched
    page = browser.new_page()
    page.goto(f"{app.url}/r/{token}/watch?t=2")

    assert page.evaluate(METADATA) == pytest.approx(2.0, abs=0.1)
    page.click("a.line >> text=Hello and welcome.")
    page.wait_for_function(
        "() => Math.abs(document.querySelector('video').currentTime - 0.2) < 0.1"
    )
    page.wait_for_selector("a.line.now >> text=Hello and welcome.")
    page.close()


def test_the_search_box_keeps_matching_lines_and_marks_the_words(
    watched: tuple[App, str], browser: Any
) -> None:
    app, token = watched
    page = browser.new_page()
    page.goto(f"{app.url}/r/{token}/watch")

    page.fill("#transcript-search", "BUDGET")

    assert page.locator("a.line:visible").count() == 1
    assert page.locator("mark").all_inner_texts() == ["budget"]
    assert page.locator("#transcript-count").inner_text() == "1 line matches"
    assert page.locator("li.turn:visible strong").all_inner_texts() == ["Bob <i>"]
    visible = page.locator("a.line:visible").inner_text()
    assert visible == "<script>window.pwned=1</script> budget time"
    page.fill("#transcript-search", "")
    assert page.locator("a.line:visible").count() == 2 and page.locator("mark").count() == 0
    page.close()
