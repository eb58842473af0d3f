"""FakeSlack for exactly-once delivery tests: threads read back, who may read what, lost answers.

Over real HTTP with slack_sdk's WebClient (httpx where a client timeout is the point).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.faults import CannedResponse, FaultPlan, Rule
from tests.fakes.slack import DEFAULT_SCOPES, FakeSlack

META = {"event_type": "recording_post", "event_payload": {"recording_id": "r1", "post": "done"}}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def web(slack: FakeSlack) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.api_url)


def error_of(call: Any) -> tuple[int, str]:
    """(HTTP status, Slack error) of a call that must fail."""
    with pytest.raises(SlackApiError) as failure:
        call()
    return failure.value.response.status_code, failure.value.response["error"]


def thread(web: WebClient, channel: str = "C0CHAN1", replies: int = 2) -> tuple[str, list[str]]:
    parent = web.chat_postMessage(channel=channel, text="status")["ts"]
    tss = [
        web.chat_postMessage(channel=channel, text=f"reply {n}", thread_ts=parent)["ts"]
        for n in range(replies)
    ]
    return parent, tss


# --- conversations.replies ---------------------------------------------------------------------


def test_replies_returns_parent_then_replies_oldest_first(web: WebClient):
    parent, (first, second) = thread(web)
    web.chat_postMessage(channel="C0CHAN1", text="unrelated")

    answer = web.conversations_replies(channel="C0CHAN1", ts=parent).data
    assert [m["ts"] for m in answer["messages"]] == [parent, first, second]
    assert answer["has_more"] is False
    assert answer["response_metadata"] == {"next_cursor": ""}
    assert answer["messages"][0]["reply_count"] == 2
    assert all(m["thread_ts"] == parent for m in answer["messages"])
    # Any message of the thread names the same thread.
    assert web.conversations_replies(channel="C0CHAN1", ts=second)["messages"] == answer["messages"]


def test_replies_of_a_message_without_replies_and_of_an_unknown_thread(web: WebClient):
    alone = web.chat_postMessage(channel="C0CHAN1", text="alone")["ts"]
    answer = web.conversations_replies(channel="C0CHAN1", ts=alone)
    assert [m["ts"] for m in answer["messages"]] == [alone]
    assert error_of(lambda: web.conversations_replies(channel="C0CHAN1", ts="1.000001")) == (
        200,
        "thread_not_found",
    )
    assert error_of(lambda: web.conversations_replies(channel="C0CHAN2", ts=alone)) == (
        200,
        "thread_not_found",
    )


def test_replies_carry_metadata_only_when_asked(web: WebClient):
    parent = web.chat_postMessage(channel="C0CHAN1", text="status", metadata=META)["ts"]
    web.chat_postMessage(channel="C0CHAN1", text="done", thread_ts=parent, metadata=META)

    plain = web.conversations_replies(channel="C0CHAN1", ts=parent)["messages"]
    full = web.conversations_replies(channel="C0CHAN1", ts=parent, include_all_metadata=True)
    assert all("metadata" not in m for m in plain)
    assert [m["metadata"] for m in full["messages"]] == [META, META]


def test_replies_pages_with_a_cursor_and_filters_replies_by_oldest(web: WebClient):
    parent, tss = thread(web, replies=4)

    first = web.conversations_replies(channel="C0CHAN1", ts=parent, limit=2)
    assert [m["ts"] for m in first["messages"]] == [parent, tss[0]]
    assert first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    rest = web.conversations_replies(channel="C0CHAN1", ts=parent, limit=10, cursor=cursor)
    assert [m["ts"] for m in rest["messages"]] == tss[1:]
    assert rest["has_more"] is False and rest["response_metadata"]["next_cursor"] == ""

    recent = web.conversations_replies(channel="C0CHAN1", ts=parent, oldest=tss[1])
    assert [m["ts"] for m in recent["messages"]] == [parent, *tss[2:]]  # parent always first
    assert error_of(
        lambda: web.conversations_replies(channel="C0CHAN1", ts=parent, cursor="bogus")
    ) == (200, "invalid_cursor")


@pytest.mark.parametrize(
    ("kind", "scope"),
    [("public", "channels:history"), ("private", "groups:history"), ("dm", "im:history")],
)
def test_history_and_replies_need_the_scope_of_the_channel_type(
    slack: FakeSlack, web: WebClient, kind: str, scope: str
):
    channel = {"public": "C0PUB", "private": "C0PRIV", "dm": "D0USER1"}[kind]
    if kind == "dm":
        slack.add_dm("U0USER1")
    else:
        slack.add_channel(channel, name=kind, is_private=kind == "private")
    parent, _ = thread(web, channel, replies=1)
    slack.scopes.discard(scope)

    for read in (
        lambda: web.conversations_history(channel=channel),
        lambda: web.conversations_replies(channel=channel, ts=parent),
    ):
        with pytest.raises(SlackApiError) as failure:
            read()
        assert failure.value.response["error"] == "missing_scope"
        assert failure.value.response["needed"] == scope


# --- who may read what -------------------------------------------------------------------------


def test_public_channel_is_readable_only_after_joining(slack: FakeSlack, web: WebClient):
    slack.add_channel("C0PUB", name="random", is_member=False)
    slack.scopes.add("chat:write.public")  # posting without being in it...
    parent, _ = thread(web, "C0PUB", replies=1)
    slack.scopes.discard("chat:write.public")  # ...never made reading possible

    assert error_of(lambda: web.conversations_history(channel="C0PUB")) == (200, "not_in_channel")
    assert error_of(lambda: web.conversations_replies(channel="C0PUB", ts=parent)) == (
        200,
        "not_in_channel",
    )
    web.conversations_join(channel="C0PUB")
    assert len(web.conversations_history(channel="C0PUB")["messages"]) == 1
    assert len(web.conversations_replies(channel="C0PUB", ts=parent)["messages"]) == 2


def test_private_channel_without_the_bot_and_others_dms_are_not_found(
    slack: FakeSlack, web: WebClient
):
    slack.add_channel("C0PRIV", name="secret", is_private=True, is_member=False)
    for channel in ("C0PRIV", "D0OTHERS"):
        assert error_of(lambda c=channel: web.conversations_history(channel=c)) == (
            200,
            "channel_not_found",
        )
        assert error_of(lambda c=channel: web.conversations_replies(channel=c, ts="1.0")) == (
            200,
            "channel_not_found",
        )


def test_the_apps_own_dm_is_readable(slack: FakeSlack, web: WebClient):
    posted = web.chat_postMessage(channel="U0USER1", text="yours", metadata=META)
    history = web.conversations_history(channel=posted["channel"], include_all_metadata=True)
    assert history["messages"][0]["metadata"] == META


def test_broadcast_reply_shows_in_history_too(web: WebClient):
    parent = web.chat_postMessage(channel="C0CHAN1", text="status")["ts"]
    web.chat_postMessage(channel="C0CHAN1", text="quiet", thread_ts=parent)
    loud = web.chat_postMessage(
        channel="C0CHAN1", text="loud", thread_ts=parent, reply_broadcast=True
    )

    history = web.conversations_history(channel="C0CHAN1")["messages"]
    assert [m["text"] for m in history] == ["loud", "status"]
    assert history[0]["subtype"] == "thread_broadcast"
    replies = web.conversations_replies(channel="C0CHAN1", ts=parent)["messages"]
    assert [m["ts"] for m in replies][-1] == loud["ts"]


@pytest.mark.parametrize(
    ("setup", "channel", "expected"),
    [
        ({"is_private": True, "is_member": False}, "C0X", "channel_not_found"),
        ({"is_member": False}, "C0X", {"is_member": False}),
        ({"is_archived": True}, "C0X", {"is_archived": True}),
        (None, "D0OTHERS", "channel_not_found"),  # a DM between two other people
        (None, "D0USER1", {"is_im": True, "user": "U0USER1"}),  # the app's own DM
    ],
)
def test_conversations_info_like_slack(
    slack: FakeSlack, web: WebClient, setup: dict | None, channel: str, expected: Any
):
    if setup is not None:
        slack.add_channel(channel, name="x", **setup)
    slack.add_dm("U0USER1")
    if isinstance(expected, str):
        assert error_of(lambda: web.conversations_info(channel=channel)) == (200, expected)
    else:
        info = web.conversations_info(channel=channel)["channel"]
        assert info.items() >= expected.items()


# --- scopes ------------------------------------------------------------------------------------


def test_default_scopes_leave_out_chat_write_public(slack: FakeSlack, web: WebClient):
    assert {
        "channels:history",
        "groups:history",
        "im:history",
        "mpim:history",
        "channels:read",
        "groups:read",
        "im:read",
        "mpim:read",
        "users:read",
        "channels:join",
        "chat:write",
        "commands",
        "links.embed:write",
    } <= DEFAULT_SCOPES
    assert "chat:write.public" not in DEFAULT_SCOPES

    slack.add_channel("C0PUB", name="random", is_member=False)
    assert error_of(lambda: web.chat_postMessage(channel="C0PUB", text="x")) == (
        200,
        "not_in_channel",
    )
    slack.scopes.add("chat:write.public")  # a test may still grant it
    assert web.chat_postMessage(channel="C0PUB", text="x")["ok"] is True


# --- stored messages ---------------------------------------------------------------------------


def test_messages_keep_their_metadata_until_it_is_removed(slack: FakeSlack, web: WebClient):
    ts = web.chat_postMessage(channel="C0CHAN1", text="a", metadata=META)["ts"]
    web.chat_postMessage(channel="C0CHAN1", text="b")
    assert [m.get("metadata") for m in slack.messages("C0CHAN1")] == [META, None]

    web.chat_update(channel="C0CHAN1", ts=ts, text="a2")  # metadata omitted: kept
    assert slack.messages("C0CHAN1")[0]["metadata"] == META
    web.chat_update(channel="C0CHAN1", ts=ts, text="a3", metadata={})  # {} removes it
    assert "metadata" not in slack.messages("C0CHAN1")[0]


# --- lost responses ----------------------------------------------------------------------------


def test_lost_response_posts_then_answers_500(slack: FakeSlack, web: WebClient):
    slack.inject("chat.postMessage", after=True)

    assert error_of(
        lambda: web.chat_postMessage(channel="C0CHAN1", text="landed", metadata=META)
    ) == (500, "internal_error")
    assert [(m["text"], m["metadata"]) for m in slack.messages("C0CHAN1")] == [("landed", META)]
    assert web.chat_postMessage(channel="C0CHAN1", text="next")["ok"] is True  # one-shot


def test_lost_response_of_an_update_still_updates(slack: FakeSlack, web: WebClient):
    ts = web.chat_postMessage(channel="C0CHAN1", text="old")["ts"]
    slack.inject("chat.update", error="service_unavailable", status=503, after=True, times=2)

    for text in ("new", "newer"):
        assert error_of(lambda t=text: web.chat_update(channel="C0CHAN1", ts=ts, text=t)) == (
            503,
            "service_unavailable",
        )
    assert slack.last_message("C0CHAN1")["text"] == "newer"
    assert web.chat_update(channel="C0CHAN1", ts=ts, text="last")["ok"] is True


def test_plain_inject_does_not_perform_the_call(slack: FakeSlack, web: WebClient):
    slack.inject("chat.postMessage", error="internal_error", status=500)
    assert error_of(lambda: web.chat_postMessage(channel="C0CHAN1", text="x")) == (
        500,
        "internal_error",
    )
    assert slack.messages("C0CHAN1") == []


def test_slow_lost_response_times_the_client_out_after_posting(slack: FakeSlack):
    slack.inject("chat.postMessage", after=True, delay=1.0)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            slack.api_url + "chat.postMessage",
            data={"token": slack.bot_token, "channel": "C0CHAN1", "text": "slow"},
            timeout=0.2,
        )
    assert [m["text"] for m in slack.messages("C0CHAN1")] == ["slow"]


def test_after_rule_needs_a_response():
    with pytest.raises(ValueError):
        FaultPlan().add(Rule("*", re.compile("x"), 1, after=True))
    FaultPlan().add(Rule("*", re.compile("x"), 1, response=CannedResponse(500, b""), after=True))


def test_random_lost_response_performs_writes_and_spares_reads():
    with FakeSlack(fault_rate=1.0, fault_errors=["lost_response"], fault_seed=1) as slack:
        web = WebClient(token=slack.bot_token, base_url=slack.api_url)
        slack.add_user("U0USER1", "ada")
        assert web.auth_test()["ok"] is True

        assert error_of(lambda: web.chat_postMessage(channel="C0CHAN1", text="x")) == (
            500,
            "internal_error",
        )
        ts = slack.messages("C0CHAN1")[0]["ts"]
        assert error_of(lambda: web.chat_update(channel="C0CHAN1", ts=ts, text="y")) == (
            500,
            "internal_error",
        )
        assert slack.last_message("C0CHAN1")["text"] == "y"

        assert web.conversations_history(channel="C0CHAN1")["messages"][0]["ts"] == ts
        assert web.conversations_replies(channel="C0CHAN1", ts=ts)["ok"] is True
        assert web.conversations_info(channel="C0CHAN1")["ok"] is True
        assert web.users_info(user="U0USER1")["ok"] is True


def test_reads_still_get_ordinary_random_errors():
    errors = ["lost_response", "internal_error"]
    with FakeSlack(fault_rate=1.0, fault_errors=errors, fault_seed=3) as slack:
        web = WebClient(token=slack.bot_token, base_url=slack.api_url)
        for _ in range(5):
            assert error_of(lambda: web.conversations_history(channel="C0CHAN1")) == (
                200,
                "internal_error",
            )
        outcomes = [
            error_of(lambda: web.chat_postMessage(channel="C0CHAN1", text="x")) for _ in range(20)
        ]
        assert set(outcomes) == {(500, "internal_error"), (200, "internal_error")}
        # Only the lost answers' posts landed.
        assert len(slack.messages("C0CHAN1")) == outcomes.count((500, "internal_error"))
