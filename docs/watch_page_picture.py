"""Takes the README's picture of the watch page (docs/watch-page.png): the player with its
captions on, the transcript beside it, who talked how much.

    python docs/watch_page_picture.py [--out docs/watch-page.png]

Needs the test dependencies (`pip install -e '.[test]'`) and Debian's `chromium` (driven by
Playwright, as tests/process/test_transcript_browser.py does; no browser download). It starts
the app as the Procfile does (`python -m bot serve`) against the local Slack and Recall fakes,
records a short design review whose transcript is in Recall's download format, opens its watch
page in headless Chromium at the moment a caption is on screen, and saves a screenshot. Run it
again whenever the page changes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import httpx  # noqa: E402
from common import SECRET, AppProcess, app_env  # noqa: E402

from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.fakes.recall import FakeRecall  # noqa: E402
from tests.fakes.recall_transcripts import segment, span  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402
from tests.slack_requests import signed_headers, slash_command_body  # noqa: E402

MEETING = "https://zoom.us/j/81234567890?pwd=abc"
# tests/data/sample.mp4 lasts three seconds: the first words fall inside it, so a caption is on
# screen; the rest of the meeting follows at the times it was said.
SAID = [
    ("Ada Lovelace", 0.4, "Morning all, let's start with the onboarding redesign."),
    ("Ada Lovelace", 4.0, "Chloé, can you walk us through the new first-run screens?"),
    ("Chloé Durand", 9.0, "Sure. We cut the sign-up form from nine fields to three."),
    ("Chloé Durand", 14.5, "Everything else moves to a checklist people can finish later."),
    ("Bob Smith", 21.0, "Do we lose anything sales needs from the old form?"),
    ("Chloé Durand", 26.0, "Only the company size, and we can ask for it at the first invite."),
    ("Dmitri Иванов", 33.0, "From the metrics side: drop-off was worst on the phone field."),
    ("Dmitri Иванов", 38.5, "About forty percent of people left right there last quarter."),
    ("Ada Lovelace", 45.0, "Then removing it is the quickest win. What about the budget?"),
    ("Bob Smith", 51.0, "The budget covers two more weeks of design and one of research."),
    ("Chloé Durand", 57.5, "That is enough for a usability test with six customers."),
    ("Ada Lovelace", 64.0, "Great. Let's review the test results next Tuesday."),
    ("Dmitri Иванов", 70.0, "I'll set up the funnel dashboard before then."),
    ("Ada Lovelace", 75.0, "Thanks everyone, that's the onboarding review done."),
]
TALKED = [("Ada Lovelace", 0.0, 9.0), ("Chloé Durand", 9.0, 21.0), ("Bob Smith", 21.0, 26.0)]
TALKED += [("Chloé Durand", 26.0, 33.0), ("Dmitri Иванов", 33.0, 45.0)]
TALKED += [("Ada Lovelace", 45.0, 51.0), ("Bob Smith", 51.0, 57.5)]
TALKED += [("Chloé Durand", 57.5, 64.0), ("Ada Lovelace", 64.0, 70.0)]
TALKED += [("Dmitri Иванов", 70.0, 75.0), ("Ada Lovelace", 75.0, 79.0)]
# The video at one second, paused, once the caption track has loaded.
AT_ONE_SECOND = """() => new Promise((resolve) => {
  const video = document.querySelector("video");
  const track = document.querySelector("track");
  let started = false;
  const go = () => {
    if (started || track.readyState !== 2 || video.readyState < 1) return;
    started = true;
    video.pause();
    video.addEventListener("seeked", () => setTimeout(resolve, 800), {once: true});
    video.currentTime = 1.0;
  };
  video.addEventListener("loadeddata", go);
  track.addEventListener("load", go);
  go();
})"""


def wait_for_watch_link(slack: FakeSlack, channel: str) -> str:
    """The path of the recording's watch page, once the status message shows the transcript."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for message in slack.messages(channel):
            blocks = str(message.get("blocks"))
            if "#transcript|Transcript>" in blocks:
                return "/r/" + blocks.split("/r/", 1)[1].split("/", 1)[0] + "/watch"
        time.sleep(0.1)
    raise RuntimeError("the transcript never reached Slack")


def record(slack: FakeSlack, recall: FakeRecall, app: AppProcess) -> str:
    body = slash_command_body(MEETING, response_url=slack.response_url("picture"))
    httpx.post(
        f"{app.url}/slack/events", content=body, headers=signed_headers(SECRET, body)
    ).raise_for_status()
    deadline = time.monotonic() + 30
    while not recall.created_bot_ids():
        if time.monotonic() > deadline:
            raise RuntimeError("no bot was created")
        time.sleep(0.1)
    [bot_id] = recall.created_bot_ids()
    with recall._lock:  # the video and its transcript are done together
        recall.run_meeting(bot_id, minutes=34)
        recall.set_transcript(
            bot_id,
            [segment(who, words, start=at, seconds_per_word=0.32) for who, at, words in SAID],
            speaker_timeline=[span(who, start, end) for who, start, end in TALKED],
        )
    return wait_for_watch_link(slack, "C0CHAN1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "watch-page.png")
    args = parser.parse_args()
    if CHROMIUM is None:
        print("Debian's chromium is needed: apt-get install chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack, FakeRecall() as recall:
        slack.add_user("U0USER1", "Ada Lovelace")
        slack.add_channel("C0CHAN1", name="design")
        env = app_env(
            slack.api_url,
            slack.bot_token,
            recall.base_url,
            recall.api_key,
            Path(tmp) / "picture.db",
            POLL_INTERVAL_SECONDS="1",
        )
        app = AppProcess(env, Path(tmp) / "app.log")
        try:
            watch = record(slack, recall, app)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 760})
                page.goto(app.url + watch)
                page.evaluate(AT_ONE_SECOND)
                page.screenshot(path=str(args.out))
                browser.close()
        finally:
            app.stop()
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
