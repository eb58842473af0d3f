"""The consent notice and the stop phrase, decided without I/O."""

from __future__ import annotations

import pytest

from bot.model.consent import (
    DEFAULT_NOTICE,
    ConsentPolicy,
    NoticeStatus,
    TemplateError,
    check_template,
    decide_notice,
    is_stop_request,
    participant_name,
)


def test_the_default_notice_says_who_from_where_and_how_to_object() -> None:
    notice = decide_notice(ConsentPolicy(), "zoom", "Ada Lovelace", "acme.slack.com", True)
    assert notice.status is NoticeStatus.SENT and notice.chat_stop
    assert notice.text == DEFAULT_NOTICE.format(
        requester="Ada Lovelace", workspace="acme.slack.com", stop_phrase="stop recording"
    )


@pytest.mark.parametrize("platform", ["webex", "goto_meeting", "slack_huddle", "unknown"])
def test_no_notice_where_bots_cannot_chat(platform: str) -> None:
    notice = decide_notice(ConsentPolicy(), platform, "Ada", "acme.slack.com", True)
    assert (notice.text, notice.status, notice.chat_stop) == (None, NoticeStatus.NO_CHAT, False)


def test_off_sends_nothing_but_keeps_the_stop_phrase() -> None:
    notice = decide_notice(ConsentPolicy(notice_on=False), "google_meet", "Ada", "x", True)
    assert (notice.text, notice.status, notice.chat_stop) == (None, NoticeStatus.OFF, True)


def test_google_meet_gets_at_most_500_characters_cut_at_a_word() -> None:
    policy = ConsentPolicy(template="word " * 200)
    text = decide_notice(policy, "google_meet", "Ada", "x", True).text or ""
    assert len(text) <= 500 and text.endswith("word…")
    assert len(decide_notice(policy, "zoom", "Ada", "x", True).text or "") == 1000


def test_names_are_made_printable_and_short() -> None:
    notice = decide_notice(
        ConsentPolicy(template="{requester}"), "zoom", "A\nda\x1b" + "x" * 200, "", True
    )
    assert notice.text is not None and "\n" not in notice.text and len(notice.text) == 80
    assert (
        decide_notice(ConsentPolicy(template="{requester}|{workspace}"), "zoom", "", "", True).text
        == "Someone|Slack"
    )
    assert participant_name("  Grace \t Hopper ") == "Grace Hopper"
    assert participant_name(None) is None and participant_name("") is None


@pytest.mark.parametrize(
    "text",
    [
        "stop recording",
        "Stop Recording!",
        "  STOP   recording. ",
        "“stop recording”",
        "<p>stop&nbsp;recording</p>",
        "**stop recording**",
    ],
)
def test_the_stop_phrase_however_it_is_typed(text: str) -> None:
    assert is_stop_request(text, "stop recording")


@pytest.mark.parametrize(
    "text",
    [
        "stop",
        "please stop recording",
        "don't stop recording",
        "stop recording now",
        "",
        "stoprecording",
    ],
)
def test_other_messages_are_not_the_stop_phrase(text: str) -> None:
    assert not is_stop_request(text, "stop recording")


def test_an_empty_phrase_matches_nothing() -> None:
    assert not is_stop_request("", "")
    assert not is_stop_request("!!", "?")


def test_templates_name_their_placeholders() -> None:
    assert check_template("{requester} in {workspace}: {stop_phrase}") == [
        "requester",
        "workspace",
        "stop_phrase",
    ]
    with pytest.raises(TemplateError):
        check_template("{0}")
    with pytest.raises(TemplateError):
        check_template("}")
