"""The local fakes behave like Recall and Slack: shapes, rules, faults, and the Recall contract.

Everything goes over real HTTP (httpx for Recall, slack_sdk's own WebClient for Slack) so these
tests also prove the fakes work with the clients the app uses.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT4
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from tests.fakes.recall import FakeRecall
from tests.fakes.slack import FakeSlack
from tests.paths import DATA
from tests.slack_requests import signed_headers, slash_command_body

KEY = "test-recall-key"
BOTS = "/api/v1/bot/"
OPENAPI = DATA / "openapi.json"
MEET = "https://meet.google.com/abc-defg-hij"


@pytest.fixture
def recall() -> Iterator[FakeRecall]:
    with FakeRecall(api_key=KEY) as fake:
        yield fake


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def web(slack: FakeSlack) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.api_url)


def create(api: httpx.Client, url: str = MEET, **fields: Any) -> dict[str, Any]:
    response = api.post(BOTS, json={"meeting_url": url, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def download_url(bot: dict[str, Any]) -> str | None:
    return bot["recordings"][0]["media_shortcuts"]["video_mixed"]["data"]["download_url"]


# --- Recall: requests and shapes ---------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Token wrong-key", KEY, f"Bearer {KEY}"])
def test_recall_rejects_requests_without_the_token_header(recall: FakeRecall, header: str | None):
    headers = {"Authorization": header} if header else {}
    response = httpx.get(recall.base_url + BOTS, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_created_bot_has_the_full_shape_and_reads_back_the_same(api: httpx.Client):
    bot = create(api, bot_name="Slack Recorder", metadata={"slack_channel": "C0002"})

    assert bot["meeting_url"] == {"meeting_id": "abc-defg-hij", "platform": "google_meet"}
    assert bot["bot_name"] == "Slack Recorder"
    assert bot["join_at"] is None
    assert bot["status_changes"] == [] and bot["recordings"] == []
    assert bot["metadata"] == {"slack_channel": "C0002"}
    assert bot["calendar_meetings"] == [] and bot["slack_team"] is None
    assert bot["recording_config"]["video_mixed_mp4"] == {"metadata": {}}
    assert bot["automatic_leave"]["waiting_room_timeout"] == 1200
    assert api.get(f"{BOTS}{bot['id']}/").json() == bot


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://acme.zoom.us/j/85012345678?pwd=s3cret",
            {"meeting_id": "85012345678", "meeting_password": "s3cret", "platform": "zoom"},
        ),
        (
            "https://zoom.com/wc/join/123456789",
            {"meeting_id": "123456789", "meeting_password": None, "platform": "zoom"},
        ),
        ("https://meet.google.com/xyz-abcd-efg", {"meeting_id": "xyz-abcd-efg"}),
        ("https://teams.live.com/meet/9876543210?p=pass", {"meeting_password": "pass"}),
        ("https://acme.webex.com/acme/j.php?MTID=m0123", {"meeting_mtid": "m0123"}),
        ("https://acme.webex.com/meet/ada", {"meeting_personal_room_id": "ada"}),
        ("https://global.gotomeeting.com/join/123456789", {"meeting_id": "123456789"}),
    ],
)
def test_meeting_url_comes_back_as_a_platform_object(api: httpx.Client, url: str, expected: dict):
    assert create(api, url)["meeting_url"].items() >= expected.items()


def test_teams_meeting_url_has_every_nullable_key(api: httpx.Client):
    context = '{"Tid":"tenant-1","Oid":"organizer-1"}'
    url = (
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0"
        f"?context={context}"
    )
    assert create(api, url)["meeting_url"] == {
        "meeting_id": None,
        "meeting_password": None,
        "organizer_id": "organizer-1",
        "tenant_id": "tenant-1",
        "message_id": "0",
        "thread_id": "19:meeting_abc@thread.v2",
        "business_meeting_id": None,
        "business_meeting_password": None,
        "platform": "microsoft_teams",
    }


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/meeting",
        "https://zoom.us/profile",
        "https://evilzoom.us/j/123456789",
        "not a url",
        "ftp://zoom.us/j/123",
    ],
)
def test_unsupported_meeting_url_is_rejected_like_recall(api: httpx.Client, url: str):
    response = api.post(BOTS, json={"meeting_url": url})
    assert response.status_code == 400
    assert response.json() == {
        "meeting_url": ["The meeting_url is malformed, or for an unsupported platform."]
    }


def test_meeting_url_must_be_a_string(api: httpx.Client):
    response = api.post(BOTS, json={"meeting_url": {"platform": "zoom"}})
    assert response.status_code == 400
    assert "meeting_url" in response.json()


def test_scheduled_bot_is_ready_and_can_be_deleted(api: httpx.Client):
    join_at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    bot = create(api, join_at=join_at)
    assert [s["code"] for s in bot["status_changes"]] == ["ready"]

    assert api.delete(f"{BOTS}{bot['id']}/").status_code == 204
    assert api.get(f"{BOTS}{bot['id']}/").json() == {"detail": "Not found."}


def test_bot_that_started_joining_cannot_be_deleted(api: httpx.Client, recall: FakeRecall):
    bot = create(api)
    recall.push_status(bot["id"], "joining_call")
    response = api.delete(f"{BOTS}{bot['id']}/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_get_with_a_body_is_blocked_by_the_firewall(api: httpx.Client):
    response = api.request("GET", BOTS, content=b"null")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")


# --- Recall: idempotency and faults ------------------------------------------------------------


def test_repeated_idempotency_key_replays_without_creating(api: httpx.Client, recall: FakeRecall):
    headers = {"Idempotency-Key": "slack:T0001:trigger-1"}
    first = api.post(BOTS, json={"meeting_url": MEET}, headers=headers)
    again = api.post(BOTS, json={"meeting_url": MEET}, headers=headers)

    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert recall.created_bot_ids() == [first.json()["id"]]


def test_injected_507_is_not_replayed_and_the_retry_succeeds(api: httpx.Client, recall: FakeRecall):
    recall.inject("POST", r"^/api/v1/bot/$", 507)
    headers = {"Idempotency-Key": "k1"}

    refused = api.post(BOTS, json={"meeting_url": MEET}, headers=headers)
    retried = api.post(BOTS, json={"meeting_url": MEET}, headers=headers)

    assert refused.status_code == 507 and "detail" in refused.json()
    assert retried.status_code == 201
    assert len(recall.created_bot_ids()) == 1


def test_injection_can_set_body_headers_and_repeat(api: httpx.Client, recall: FakeRecall):
    recall.inject(
        "GET", r"/bot/", 429, json={"detail": "slow down"}, headers={"Retry-After": "3"}, times=2
    )
    answers = [api.get(BOTS) for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "3"
    assert answers[0].json() == {"detail": "slow down"}


def test_same_key_while_first_request_is_running_gets_409(api: httpx.Client, recall: FakeRecall):
    recall.delay_next("POST", r"^/api/v1/bot/$", 1.0)

    def send() -> httpx.Response:
        return api.post(BOTS, json={"meeting_url": MEET}, headers={"Idempotency-Key": "k"})

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(send)
        _wait_for(lambda: recall.requests_to("POST", r"^/api/v1/bot/$"))
        time.sleep(0.2)  # let the first request claim the key
        second = send()
        assert second.status_code == 409
        assert first.result().status_code == 201


def test_delay_makes_a_client_time_out(recall: FakeRecall):
    recall.delay_next("GET", r"^/api/v1/bot/$", 0.5)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(recall.base_url + BOTS, headers={"Authorization": f"Token {KEY}"}, timeout=0.1)


def test_random_faults_are_seeded_and_429_says_when_to_retry():
    with FakeRecall(api_key=KEY, fault_rate=1.0, fault_statuses=[429, 507], fault_seed=1) as fake:
        headers = {"Authorization": f"Token {KEY}"}
        listed = httpx.get(fake.base_url + BOTS, headers=headers)
        # 507 ("no bot free") only ever answers Create Bot, so a GET can only get the 429.
        assert listed.status_code == 429
        assert listed.headers["Retry-After"] == "1"
        fake.fault_rate = 0.0
        assert httpx.get(fake.base_url + BOTS, headers=headers).status_code == 200


def test_requests_are_recorded(api: httpx.Client, recall: FakeRecall):
    create(api, metadata={"app": "slack-record"})
    api.get(BOTS, params={"status": ["done", "fatal"]})

    posted, listed = recall.requests
    assert posted.json == {"meeting_url": MEET, "metadata": {"app": "slack-record"}}
    assert posted.headers["authorization"] == f"Token {KEY}"
    assert listed.query == {"status": ["done", "fatal"]}
    assert recall.requests_to("GET", r"^/api/v1/bot/$") == [listed]


# --- Recall: lifecycle -------------------------------------------------------------------------


def test_finished_meeting_has_a_fresh_download_url_on_every_get(
    api: httpx.Client, recall: FakeRecall
):
    bot = create(api)
    recall.run_meeting(bot["id"], minutes=42)

    first = api.get(f"{BOTS}{bot['id']}/").json()
    second = api.get(f"{BOTS}{bot['id']}/").json()

    assert [s["code"] for s in first["status_changes"]] == [
        "joining_call",
        "in_waiting_room",
        "in_call_not_recording",
        "in_call_recording",
        "call_ended",
        "done",
    ]
    assert first["status_changes"][4]["sub_code"] == "call_ended_by_host"
    recording = first["recordings"][0]
    assert recording["status"]["code"] == "done"
    assert recording["media_shortcuts"]["video_mixed"]["status"]["code"] == "done"
    started = datetime.fromisoformat(recording["started_at"])
    completed = datetime.fromisoformat(recording["completed_at"])
    assert completed - started == timedelta(minutes=42)
    assert download_url(first) != download_url(second)
    assert "X-Amz-Signature=" in download_url(first)


def test_download_url_serves_mp4_with_ranges_until_it_expires(
    api: httpx.Client, recall: FakeRecall
):
    bot = create(api)
    recall.run_meeting(bot["id"])
    url = download_url(api.get(f"{BOTS}{bot['id']}/").json())

    whole = httpx.get(url)
    part = httpx.get(url, headers={"Range": "bytes=0-9"})
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
    assert part.status_code == 206 and part.content == whole.content[:10]

    recall.expire_download_urls()
    assert httpx.get(url).status_code == 403
    assert httpx.get(url.replace("X-Amz-Signature=", "X-Amz-Signature=0")).status_code == 403


def test_each_recording_has_its_own_download_url(api: httpx.Client, recall: FakeRecall):
    bot = create(api)
    recall.run_meeting(bot["id"])
    later = datetime.now(UTC)
    second = recall.add_recording(bot["id"], later, later + timedelta(minutes=5))

    recordings = api.get(f"{BOTS}{bot['id']}/").json()["recordings"]
    urls = [r["media_shortcuts"]["video_mixed"]["data"]["download_url"] for r in recordings]
    assert [recall.recording_of(url) for url in urls] == [recordings[0]["id"], second]
    assert [httpx.get(url).status_code for url in urls] == [200, 200]


def test_delete_media_leaves_deleted_statuses_and_no_link(api: httpx.Client, recall: FakeRecall):
    bot = create(api)
    recall.run_meeting(bot["id"])
    old_url = download_url(api.get(f"{BOTS}{bot['id']}/").json())

    after = api.post(f"{BOTS}{bot['id']}/delete_media/").json()

    assert after["recordings"][0]["status"]["code"] == "deleted"
    assert after["recordings"][0]["media_shortcuts"]["video_mixed"]["status"]["code"] == "deleted"
    assert download_url(after) is None
    assert httpx.get(old_url).status_code == 404


def test_end_without_video_and_fail_bot(api: httpx.Client, recall: FakeRecall):
    stayed_out, failed = create(api), create(api)
    recall.end_without_video(stayed_out["id"])
    recall.fail_bot(failed["id"], sub_code="zoom_web_disallowed")

    stayed_out = api.get(f"{BOTS}{stayed_out['id']}/").json()
    failed = api.get(f"{BOTS}{failed['id']}/").json()
    assert stayed_out["status_changes"][-1]["code"] == "done" and stayed_out["recordings"] == []
    assert stayed_out["status_changes"][-2]["sub_code"] == "timeout_exceeded_waiting_room"
    assert [(s["code"], s["sub_code"]) for s in failed["status_changes"]] == [
        ("joining_call", None),
        ("fatal", "zoom_web_disallowed"),
    ]


def test_leave_call_ends_the_call_and_is_refused_once_completed(
    api: httpx.Client, recall: FakeRecall
):
    bot = create(api)
    unstarted = api.post(f"{BOTS}{bot['id']}/leave_call/")
    recall.push_status(bot["id"], "in_call_recording")

    left = api.post(f"{BOTS}{bot['id']}/leave_call/")
    recall.push_status(bot["id"], "done")
    completed = api.post(f"{BOTS}{bot['id']}/leave_call/")

    assert unstarted.json()["code"] == "cannot_command_unstarted_bot"
    assert left.status_code == 200
    assert left.json()["status_changes"][-1]["sub_code"] == "bot_received_leave_call"
    assert completed.status_code == 400
    assert completed.json() == {
        "code": "cannot_command_completed_bot",
        "detail": "Cannot send a command to a bot which has completed.",
    }


def test_auto_progress_finishes_a_bot_in_four_polls():
    with FakeRecall(api_key=KEY, auto_progress=True) as fake:
        client = httpx.Client(base_url=fake.base_url, headers={"Authorization": f"Token {KEY}"})
        with client:
            bot = create(client)
            polls = [client.get(f"{BOTS}{bot['id']}/").json() for _ in range(5)]

    latest = [p["status_changes"][-1]["code"] for p in polls]
    assert latest == ["joining_call", "in_call_recording", "call_ended", "done", "done"]
    assert polls[1]["recordings"][0]["media_shortcuts"]["video_mixed"] is None
    assert download_url(polls[3]) is not None


def test_list_filters_by_status_metadata_and_join_at(api: httpx.Client, recall: FakeRecall):
    done = create(api, metadata={"app": "slack-record"})
    running = create(api, metadata={"app": "slack-record"})
    other = create(api, metadata={"app": "other"})
    soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    scheduled = create(api, join_at=soon, metadata={"app": "slack-record"})
    recall.run_meeting(done["id"])
    recall.push_status(running["id"], "in_call_recording")
    recall.fail_bot(other["id"])

    def ids(**params: Any) -> list[str]:
        return [b["id"] for b in api.get(BOTS, params=params).json()["results"]]

    assert ids(status=["done", "fatal"]) == [other["id"], done["id"]]  # newest first
    assert ids(metadata__app="slack-record", status="in_call_recording") == [running["id"]]
    assert ids(join_at_after=datetime.now(UTC).isoformat()) == [scheduled["id"]]
    assert api.get(BOTS, params={"join_at_before": "soon"}).status_code == 400


def test_list_pages_with_full_next_and_previous_links(api: httpx.Client, recall: FakeRecall):
    recall.page_size = 2
    created = [recall.add_bot(MEET, metadata={"n": str(n)}) for n in range(5)]

    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    url = f"{recall.base_url}{BOTS}"
    while url:
        page = api.get(url).json()
        pages.append(page)
        seen += [b["id"] for b in page["results"]]
        url = page["next"]

    assert seen == created[::-1]
    assert [p["count"] for p in pages] == [5, 5, 5]
    assert pages[0]["previous"] is None and pages[0]["next"].endswith(f"{BOTS}?page=2")
    assert pages[2]["previous"].startswith("http://127.0.0.1:")
    assert api.get(BOTS, params={"page": 9}).json() == {"detail": "Invalid page."}


# --- Recall: contract with the OpenAPI Bot schema ----------------------------------------------

_SPEC_URI = "urn:recall-openapi"


def _spec_as_recall_serves_it() -> dict[str, Any]:
    """Recall's OpenAPI document with the two places where it disagrees with real responses
    made explicit (everything else is validated as written):

    - drf-spectacular writes nullable references as ``{"allOf": [{"$ref"}], "nullable": true}``;
      OAS 3.0.3 ignores ``nullable`` without a sibling ``type``, so openapi-schema-validator
      would reject the documented ``"slack_team": null``. Spell that out as "ref or null".
    - ``BotEvent.sub_code`` / ``message`` are typed non-nullable strings, yet real status
      changes carry ``null`` when there is nothing to explain.
    """
    spec = json.loads(OPENAPI.read_text())
    _allow_null_through_allof(spec)
    event = spec["components"]["schemas"]["BotEvent"]["properties"]
    for field in ("sub_code", "message"):
        event[field]["nullable"] = True
    return spec


def _allow_null_through_allof(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _allow_null_through_allof(item)
    elif isinstance(node, dict):
        for value in node.values():
            _allow_null_through_allof(value)
        if node.get("nullable") is True and "allOf" in node and "type" not in node:
            node["anyOf"] = [{"allOf": node.pop("allOf")}, {"enum": [None]}]


@pytest.fixture(scope="module")
def schema() -> Callable[[str], Any]:
    """Validator factory for ``components.schemas.<name>``, resolving $refs over the whole spec."""
    resource = DRAFT4.create_resource(_spec_as_recall_serves_it())
    registry = Registry().with_resource(_SPEC_URI, resource)

    def validator(name: str) -> Any:
        ref = {"$ref": f"{_SPEC_URI}#/components/schemas/{name}"}
        # Read validator: this is a response, so writeOnly forms (meeting_url as a string)
        # must not appear and readOnly fields are expected.
        return OAS30ReadValidator(ref, registry=registry, format_checker=oas30_format_checker)

    return validator


def _leave(api: httpx.Client, recall: FakeRecall, bot_id: str) -> None:
    recall.push_status(bot_id, "in_call_recording")
    api.post(f"{BOTS}{bot_id}/leave_call/")


def _in_call(api: httpx.Client, recall: FakeRecall, bot_id: str) -> None:
    recall.push_status(bot_id, "joining_call")
    recall.push_status(bot_id, "in_call_recording")
    recall.start_recording(bot_id)


def _delete_media(api: httpx.Client, recall: FakeRecall, bot_id: str) -> None:
    recall.run_meeting(bot_id)
    api.post(f"{BOTS}{bot_id}/delete_media/")


def _media_expired(api: httpx.Client, recall: FakeRecall, bot_id: str) -> None:
    recall.run_meeting(bot_id)
    recall.expire_media(bot_id)


def _recording_restarted(api: httpx.Client, recall: FakeRecall, bot_id: str) -> None:
    recall.run_meeting(bot_id)
    later = datetime.now(UTC)
    recall.add_recording(bot_id, later, later + timedelta(minutes=3), video=None)
    recall.add_recording(bot_id, later + timedelta(minutes=4), later + timedelta(minutes=9))


SCENARIOS: dict[str, Callable[[httpx.Client, FakeRecall, str], object]] = {
    "new": lambda api, recall, bot_id: None,
    "in_call": _in_call,
    "finished": lambda api, recall, bot_id: recall.run_meeting(bot_id),
    "video_processing": lambda api, recall, bot_id: recall.complete_recording(
        bot_id, video="processing"
    ),
    "video_failed": lambda api, recall, bot_id: recall.complete_recording(bot_id, video="failed"),
    "no_video": lambda api, recall, bot_id: recall.end_without_video(bot_id),
    "fatal": lambda api, recall, bot_id: recall.fail_bot(bot_id),
    "left_call": _leave,
    "media_deleted": _delete_media,
    "media_expired": _media_expired,
    "recording_restarted": _recording_restarted,
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_bot_in_every_state_matches_the_openapi_schema(
    api: httpx.Client, recall: FakeRecall, schema: Callable[[str], Any], scenario: str
):
    bot = create(
        api,
        bot_name="Slack Recorder",
        recording_config={"video_mixed_mp4": {}, "video_mixed_layout": "speaker_view"},
        automatic_leave={"waiting_room_timeout": 600, "noone_joined_timeout": 600},
        metadata={"app": "slack-record", "slack_channel": "C0002"},
    )
    SCENARIOS[scenario](api, recall, bot["id"])
    schema("Bot").validate(api.get(f"{BOTS}{bot['id']}/").json())


@pytest.mark.parametrize(
    "url",
    [
        "https://zoom.us/j/85012345678?pwd=abc",
        MEET,
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0",
        "https://teams.live.com/meet/9876543210?p=pw",
        "https://acme.webex.com/acme/j.php?MTID=m01",
        "https://acme.webex.com/meet/ada",
        "https://gotomeet.me/ada",
    ],
)
def test_bot_for_every_platform_matches_the_openapi_schema(
    api: httpx.Client, schema: Callable[[str], Any], url: str
):
    join_at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    schema("Bot").validate(create(api, url, join_at=join_at))


def test_bot_list_matches_the_openapi_schema(
    api: httpx.Client, recall: FakeRecall, schema: Callable[[str], Any]
):
    recall.run_meeting(recall.add_bot())
    schema("PaginatedBotList").validate(api.get(BOTS).json())


def test_contract_validator_rejects_wrong_shapes(api: httpx.Client, schema: Callable[[str], Any]):
    bot = create(api)
    for broken in (
        {**bot, "meeting_url": MEET},  # the request form, never in a response
        {**bot, "id": "not-a-uuid"},
        {key: value for key, value in bot.items() if key != "recordings"},
    ):
        with pytest.raises(ValidationError):
            schema("Bot").validate(broken)


# --- Slack -------------------------------------------------------------------------------------


def test_slack_auth_test_and_bad_token(slack: FakeSlack, web: WebClient):
    assert web.auth_test().data == {
        "ok": True,
        "url": "https://acme.slack.com/",
        "team": "Acme",
        "user": "recorder",
        "team_id": "T0001",
        "user_id": "UBOT",
        "bot_id": "BBOT",
        "is_enterprise_install": False,
    }
    with pytest.raises(SlackApiError) as failure:
        WebClient(token="xoxb-wrong", base_url=slack.api_url).auth_test()
    assert failure.value.response["error"] == "invalid_auth"


def test_post_update_and_read_back_a_message(slack: FakeSlack, web: WebClient):
    metadata = {"event_type": "recording_ready", "event_payload": {"recording_id": "r1"}}
    posted = web.chat_postMessage(channel="C0CHAN1", text="Joining…", metadata=metadata)
    reply = web.chat_postMessage(channel="C0CHAN1", text="in thread", thread_ts=posted["ts"])
    updated = web.chat_update(channel="C0CHAN1", ts=posted["ts"], text="Recording ready")

    assert posted["channel"] == "C0CHAN1" and posted["message"]["bot_id"] == "BBOT"
    assert float(reply["ts"]) > float(posted["ts"])
    assert updated["text"] == "Recording ready"
    assert slack.last_message("C0CHAN1")["thread_ts"] == posted["ts"]
    history = web.conversations_history(channel="C0CHAN1", include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["Recording ready"]  # no replies
    assert history["messages"][0]["metadata"] == metadata
    plain = web.conversations_history(channel="C0CHAN1")
    assert "metadata" not in plain["messages"][0]
    link = web.chat_getPermalink(channel="C0CHAN1", message_ts=posted["ts"])["permalink"]
    assert link == f"https://acme.slack.com/archives/C0CHAN1/p{posted['ts'].replace('.', '')}"


def test_update_of_unknown_message_fails(web: WebClient):
    with pytest.raises(SlackApiError) as failure:
        web.chat_update(channel="C0CHAN1", ts="1.000001", text="x")
    assert failure.value.response["error"] == "message_not_found"


def test_posting_to_a_user_opens_the_apps_dm(slack: FakeSlack, web: WebClient):
    posted = web.chat_postMessage(channel="U0USER1", text="Your recording is ready")
    assert posted["channel"] == "D0USER1"
    assert slack.messages("U0USER1") == slack.messages("D0USER1") != []

    slack.messages_tab_enabled = False
    with pytest.raises(SlackApiError) as failure:
        web.chat_postMessage(channel="U0USER2", text="x")
    assert failure.value.response["error"] == "messages_tab_disabled"


@pytest.mark.parametrize(
    ("channel", "scopes_removed", "error"),
    [
        ({"is_member": False}, {"chat:write.public"}, "not_in_channel"),
        ({"is_member": False, "is_private": True}, set(), "channel_not_found"),
        ({"is_archived": True}, set(), "is_archived"),
        ({}, {"chat:write"}, "missing_scope"),
    ],
)
def test_post_message_channel_rules(
    slack: FakeSlack, web: WebClient, channel: dict, scopes_removed: set, error: str
):
    slack.add_channel("C0PRIV", name="secret", **channel)
    slack.scopes -= scopes_removed
    with pytest.raises(SlackApiError) as failure:
        web.chat_postMessage(channel="C0PRIV", text="x")
    assert failure.value.response["error"] == error


def test_public_channel_can_be_joined_private_cannot(slack: FakeSlack, web: WebClient):
    slack.add_channel("C0PUB", name="random", is_member=False)
    slack.add_channel("C0PRIV", name="secret", is_private=True, is_member=False)
    slack.scopes.discard("chat:write.public")

    web.conversations_join(channel="C0PUB")
    assert web.conversations_info(channel="C0PUB")["channel"]["is_member"] is True
    with pytest.raises(SlackApiError) as failure:
        web.conversations_join(channel="C0PRIV")
    assert failure.value.response["error"] == "method_not_supported_for_channel_type"
    with pytest.raises(SlackApiError) as failure:
        web.conversations_info(channel="C0PRIV")
    assert failure.value.response["error"] == "channel_not_found"


def test_ratelimited_answer_carries_retry_after(slack: FakeSlack, web: WebClient):
    slack.inject("chat.postMessage", error="ratelimited", status=429, headers={"Retry-After": "1"})
    with pytest.raises(SlackApiError) as failure:
        web.chat_postMessage(channel="C0CHAN1", text="x")
    assert failure.value.response.status_code == 429
    assert failure.value.response.headers["Retry-After"] == "1"
    assert failure.value.response["error"] == "ratelimited"
    assert web.chat_postMessage(channel="C0CHAN1", text="x")["ok"] is True


def test_form_bodies_and_token_argument_are_understood(slack: FakeSlack):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*done*"}}]
    form = {"token": slack.bot_token, "channel": "C0CHAN1", "text": "done"}
    answer = httpx.post(
        slack.api_url + "chat.postMessage", data={**form, "blocks": json.dumps(blocks)}
    ).json()

    assert answer["ok"] is True and answer["message"]["blocks"] == blocks
    call = slack.calls_to("chat.postMessage")[0]
    assert call.args == {"channel": "C0CHAN1", "text": "done", "blocks": blocks}  # no token
    unknown = httpx.post(slack.api_url + "files.upload", data={"token": slack.bot_token})
    assert unknown.json() == {"ok": False, "error": "unknown_method", "req_method": "files.upload"}


def test_users_info_and_ephemeral(slack: FakeSlack, web: WebClient):
    slack.add_user("U0USER1", "ada", tz="America/New_York", tz_offset=-18000)
    user = web.users_info(user="U0USER1")["user"]
    assert (user["tz"], user["tz_offset"], user["is_bot"]) == ("America/New_York", -18000, False)
    assert user["profile"]["display_name"] == "ada"
    with pytest.raises(SlackApiError):
        web.users_info(user="U0NOBODY")
    assert web.chat_postEphemeral(channel="C0CHAN1", user="U0USER1", text="hi")["message_ts"]


def test_oauth_code_installs_a_second_workspace(slack: FakeSlack):
    token = slack.add_oauth_code("code-1", team_id="T0002", team_name="Beta")
    anonymous = WebClient(base_url=slack.api_url)
    credentials = {"client_id": "fake-client-id", "client_secret": "fake-client-secret"}

    installed = anonymous.oauth_v2_access(code="code-1", **credentials)
    assert installed["access_token"] == token
    assert installed["team"] == {"id": "T0002", "name": "Beta"}
    assert WebClient(token=token, base_url=slack.api_url).auth_test()["team_id"] == "T0002"
    with pytest.raises(SlackApiError) as failure:  # codes work once
        anonymous.oauth_v2_access(code="code-1", **credentials)
    assert failure.value.response["error"] == "invalid_code"


def test_response_url_takes_five_posts_then_expires(slack: FakeSlack):
    url = slack.response_url("cmd-1")
    answers = [httpx.post(url, json={"text": f"update {n}"}) for n in range(6)]

    assert [a.status_code for a in answers] == [200] * 5 + [404]
    assert answers[-1].text == "expired_url"
    assert [r["text"] for r in slack.responses["cmd-1"]] == [f"update {n}" for n in range(5)]


# --- signed requests into the app ----------------------------------------------------------


def test_slash_command_body_is_signed_and_shaped_like_slack():
    body = slash_command_body("https://zoom.us/j/1", response_url="http://127.0.0.1:1/hooks/1")
    headers = signed_headers("secret", body)

    fields = {k: v[0] for k, v in parse_qs(body).items()}
    assert fields["command"] == "/record" and fields["text"] == "https://zoom.us/j/1"
    assert fields["is_enterprise_install"] == "false" and fields["api_app_id"]
    assert SignatureVerifier("secret").is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )


def _wait_for(condition: Callable[[], object], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)
