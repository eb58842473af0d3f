"""`/record search <words>` over signed slash commands: the best matches of this channel's
recordings, with meeting, date, speaker, context and a link to that moment; never another
channel's (a private channel's meetings stay there); never a deleted recording's, nor one whose
video Recall no longer has; hostile transcript text inert in Slack; friendly answers to what
cannot be searched for."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

from bot.app.searching import search_transcripts
from tests.conftest import App
from tests.fakes.recall_transcripts import segment
from tests.transcripts import PUBLIC, record_meeting, settle

BUDGET = [
    segment("Ada", "Welcome to the quarterly budget review.", start=2.0),
    segment("Bob", "The budget for hiring is tight, the budget for travel is fine.", start=65.0),
]
SECRET_PLAN = [segment("Eve", "The acquisition of Initech stays secret until March.", start=5.0)]


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    made = make_app(public_base_url=PUBLIC)
    made.slack.add_channel("C0PRIV", name="board", is_private=True)
    return made


def search(app: App, words: str, channel: str = "C0CHAN1", hook: str = "search") -> str:
    response = app.command(f"search {words}", channel_id=channel, hook=hook)
    assert response.status_code == 200
    assert response.text == ""  # answered from the lazy listener, privately
    return app.wait_for_reply(hook)


def test_search_lists_this_channels_matches_best_first_with_links(app: App) -> None:
    rec = record_meeting(app, BUDGET, timeline=None)
    watch = f"{PUBLIC}/r/{rec.sharing.token}/watch"

    answer = search(app, "budget")

    [body] = app.slack.responses["search"]
    assert body["response_type"] == "ephemeral"
    lines = answer.splitlines()
    assert lines[0] == "*Recordings of this channel mentioning budget*, best matches first:"
    # Bob says "budget" twice in one line: it ranks first.
    assert lines[1].startswith(f"• <{watch}?t=65|Zoom meeting 812 3456 7890> · <!date^")
    assert lines[1].endswith(f"· Bob at <{watch}?t=65|00:01:05>")
    assert lines[2] == ("> The *budget* for hiring is tight, the *budget* for travel is fine.")
    assert f"Ada at <{watch}?t=2|00:00:02>" in lines[3]
    assert lines[4] == "> Welcome to the quarterly *budget* review."


def test_a_private_channels_meetings_never_show_up_elsewhere(app: App) -> None:
    record_meeting(app, SECRET_PLAN, channel="C0PRIV", hook="rec1", timeline=None)
    record_meeting(app, BUDGET, link="https://zoom.us/j/89999999999", hook="rec2", timeline=None)

    elsewhere = search(app, "acquisition Initech", hook="s1")
    there = search(app, "acquisition Initech", channel="C0PRIV", hook="s2")

    assert elsewhere.startswith("No recording of this channel mentions acquisition initech.")
    assert "Initech" not in elsewhere and "secret" not in elsewhere
    assert "Eve at" in there and "*acquisition* of *Initech*" in there
    nothing = search(app, "budget", channel="C0PRIV", hook="s3")
    assert nothing.startswith("No recording of this channel mentions budget.")


def test_phrases_and_stemmed_words_match(app: App) -> None:
    record_meeting(app, BUDGET, timeline=None)

    assert "Bob at" in search(app, '"budget for travel"', hook="s1")
    assert "Ada at" not in search(app, '"budget for travel"', hook="s2")
    assert "Ada at" in search(app, "reviews", hook="s3")  # review, reviews, reviewing


def test_hostile_transcript_text_is_inert_in_the_results(app: App) -> None:
    hostile = [
        segment(
            "<!here> *Mallory*",
            "budget <!channel> <https://evil.example|click here> *bold* _it_ ~gone~ `run`",
            start=1.0,
        )
    ]
    record_meeting(app, hostile, timeline=None)

    answer = search(app, "budget")

    assert "<!channel>" not in answer and "<!here>" not in answer
    assert "&lt;!channel&gt;" in answer and "&lt;!here&gt;" in answer
    assert "<https://evil.example" not in answer
    assert "*bold*" not in answer and "_it_" not in answer and "~gone~" not in answer
    assert "`run`" not in answer
    assert re.search(r"\*budget\*", answer)  # only our own bold remains


def test_deleted_recordings_are_not_found(app: App) -> None:
    rec = record_meeting(app, BUDGET, timeline=None)
    app.command(f"delete {PUBLIC}/r/{rec.sharing.token}", hook="del")
    app.wait_for_reply("del")

    assert search(app, "budget", hook="s1").startswith("No recording of this channel mentions")
    app.poll()  # the delete step: the rows go too
    assert search(app, "budget", hook="s2").startswith("No recording of this channel mentions")


def test_a_video_recall_deleted_takes_its_transcript_out_of_search(app: App) -> None:
    rec = record_meeting(app, BUDGET, timeline=None)
    token = rec.sharing.token
    assert "Bob at" in search(app, "budget", hook="s1")
    # Recall deleted the media before the end of the retention we asked for.
    app.recall.expire_media(rec.recall.bot_id)

    watch = httpx.get(f"{app.url}/r/{token}/watch")
    assert watch.status_code == 410
    assert "Recall deleted the video" in watch.text
    settle(app)  # the recording's step deletes its transcript, on the worker pool

    assert search(app, "budget", hook="s2").startswith("No recording of this channel mentions")
    assert "Welcome" not in search(app, "quarterly review", hook="s3")
    everywhere = search_transcripts(app.runtime.settings, "budget", None, None, 10)
    assert everywhere == ("No transcript mentions budget.", 0)  # `slack-record search`
    transcript = httpx.get(f"{app.url}/r/{token}/transcript.txt")
    assert transcript.status_code == 410
    assert "Recall deleted the video" in transcript.text


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("search", "What should I look for? Usage: `/record search <words>`."),
        ("search   the and of  ", "Those words are too common to search for"),
        ("search !!!", "Search for words, like `/record search budget review`."),
    ],
)
def test_what_cannot_be_searched_for_gets_a_friendly_private_answer(
    app: App, typed: str, answer: str
) -> None:
    response = app.command(typed)
    assert response.json()["response_type"] == "ephemeral"
    assert response.json()["text"].startswith(answer)
    assert app.recall.requests == []
