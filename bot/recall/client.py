"""Recall.ai bot API client: the bot endpoints slack-record uses.

The HTTP client is passed in (tests hand us one pointed at a local fake); `make_http_client`
builds the production one with explicit timeouts. Every non-2xx answer becomes one of:

    RecallError
     ├── RecallUnavailable        network error, timeout, 5xx, 409: try again later
     │    └── RecallRateLimited   429; `.retry_after` seconds
     │         └── BudgetSpent    our own rate budget (bot/rate_budget.py) says wait
     ├── RecallNoCapacity         507 on create: no free bot right now; `.retry_after`
     ├── RecallRejected           400/403/other 4xx; `.detail` is Recall's own words
     ├── RecallNotFound           404: Recall does not know this bot (any more)
     └── RecallAuthError          401 or 402: only an operator can fix it; `.status`

Retrying is the caller's decision (creating a bot retries in-process, the poller reschedules the
row), except for `create_bot_with_retries`, which wraps the short in-process retry for creation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import tenacity

from bot.model.times import retry_after_seconds
from bot.recall.errors import (
    BudgetSpent,
    RecallAuthError,
    RecallError,
    RecallNoCapacity,
    RecallNotFound,
    RecallRateLimited,
    RecallRejected,
    RecallUnavailable,
)
from bot.recall.rate_budget import RateBudget

log = logging.getLogger(__name__)

# Recall answers in well under a second; 10 s read time covers a slow day without letting one
# call hold a worker for long. Connect failures are retried by the transport itself.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# A 507 with no Retry-After: Recall's advice is to try again about every 30 s.
NO_CAPACITY_RETRY_SECONDS = 30.0


def make_http_client(
    base_url: str,
    api_key: str,
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
) -> httpx.Client:
    """The production HTTP client: auth header, JSON, explicit timeouts, pooled connections."""
    return httpx.Client(
        base_url=base_url.rstrip("/") + "/api/v1/",
        headers={
            "Authorization": f"Token {api_key}",
            "Accept": "application/json",
            "User-Agent": "slack-record",
        },
        timeout=timeout,
        transport=transport
        or httpx.HTTPTransport(
            retries=2, limits=httpx.Limits(max_connections=20, max_keepalive_connections=10)
        ),
    )


class RecallClient:
    """The bot endpoints slack-record uses. Paths end with a slash, as Recall requires.

    With a `RateBudget`, every call first takes a token for its endpoint class; when none is
    free (within `wait` seconds) the call is not made and `RecallRateLimited` says how long
    to wait, exactly as if Recall had answered 429.
    """

    def __init__(
        self,
        http: httpx.Client,
        budget: RateBudget | None = None,
        on_call: Callable[[str, str], None] | None = None,
    ):
        self._http = http
        self._budget = budget
        # Told of every call made: its endpoint class and its HTTP status (or `timeout`,
        # `network`), for the app's metrics.
        self._on_call = on_call or (lambda _kind, _status: None)

    def create_bot(self, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        # Someone is waiting for this bot: worth waiting a little for the budget.
        return self._call(
            "POST", "bot/", json=payload, idempotency_key=idempotency_key, kind="create", wait=10
        )

    def get_bot(self, bot_id: str, wait: float = 0.0) -> dict[str, Any]:
        return self._call("GET", f"bot/{bot_id}/", wait=wait)

    def leave_call(self, bot_id: str) -> dict[str, Any]:
        return self._call("POST", f"bot/{bot_id}/leave_call/", wait=5)

    def list_bots(self, *, keep: int = 0, **filters: str | int | list[str]) -> dict[str, Any]:
        """One page of List Bots: `{"count", "next", "previous", "results"}`. `keep`: list
        tokens to leave in our budget for other work (see RateBudget.take)."""
        return self._call("GET", "bot/", params=filters, kind="list", keep=keep)

    def list_bots_page(self, next_url: str, *, keep: int = 0) -> dict[str, Any]:
        """A further page: Recall's `next` link, used as it is (it is opaque)."""
        return self._call("GET", next_url, kind="list", keep=keep)

    def delete_media(self, bot_id: str) -> dict[str, Any]:
        """Permanently delete the bot's recordings at Recall."""
        return self._call("POST", f"bot/{bot_id}/delete_media/", wait=5)

    def delete_bot(self, bot_id: str) -> None:
        """Cancel a scheduled bot that has not started joining (405 once it has)."""
        self._call("DELETE", f"bot/{bot_id}/", wait=5)

    def create_transcript(self, recording_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create Async Transcript: transcribe a finished recording (bot/recall/transcripts.py)."""
        return self._call("POST", f"recording/{recording_id}/create_transcript/", json=body, wait=5)

    def close(self) -> None:
        self._http.close()

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        params: dict[str, Any] | None = None,
        kind: str = "retrieve",
        wait: float = 0.0,
        keep: int = 0,
    ) -> dict[str, Any]:
        if self._budget is not None:
            delay = self._budget.take(kind, wait, keep)
            if delay is not None and self._budget.paused(kind):
                raise RecallRateLimited("Recall asked us to wait (429)", delay)
            if delay is not None:
                raise BudgetSpent("our own Recall budget is spent for now", delay)
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        try:
            # Never send a body on GET: Recall's firewall answers 403.
            response = self._http.request(method, path, json=json, headers=headers, params=params)
        except httpx.TimeoutException as exc:
            self._on_call(kind, "timeout")
            raise RecallUnavailable(
                f"Recall did not answer in time ({type(exc).__name__})"
            ) from exc
        except httpx.TransportError as exc:
            self._on_call(kind, "network")
            raise RecallUnavailable(f"could not reach Recall ({type(exc).__name__})") from exc
        self._on_call(kind, str(response.status_code))
        if response.is_success:
            if response.status_code == 204 or not response.content:
                return {}
            return _json_object(response)
        error = _error_for(response)
        if isinstance(error, RecallRateLimited) and self._budget is not None:
            self._budget.pause(kind, error.retry_after or 1.0)
        raise error


def create_bot_with_retries(
    recall: RecallClient,
    payload: dict[str, Any],
    idempotency_key: str,
    *,
    attempts: int = 3,
    max_wait: float = 8.0,
    sleep: Callable[[float], None] = tenacity.nap.sleep,
) -> dict[str, Any]:
    """Create a bot, riding out brief trouble: 429 waits Retry-After, 5xx/network back off.

    The same Idempotency-Key is sent on every attempt, so if an earlier attempt did reach
    Recall the retry gets the original bot back instead of a second one.
    Anything else (507, 4xx) is raised at once for the caller to handle.
    """

    backoff = tenacity.wait_exponential_jitter(multiplier=0.5, max=max_wait)

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RecallUnavailable) and exc.retry_after is not None:
            return min(exc.retry_after, max_wait)
        return backoff(state)

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(RecallUnavailable),
        stop=tenacity.stop_after_attempt(attempts),
        wait=wait,
        sleep=sleep,
        reraise=True,
    )
    return retrying(recall.create_bot, payload, idempotency_key)


def error_detail(response: httpx.Response) -> tuple[str, str | None]:
    """Recall's explanation of an error: `detail`, else the first message of the first field.

    Both body shapes occur (`detail`, or a field and its messages); an HTML page (a firewall)
    becomes a short note.
    """
    try:
        body = response.json()
    except ValueError:
        return (f"HTTP {response.status_code} from Recall", None)
    if isinstance(body, dict):
        code = body.get("code") if isinstance(body.get("code"), str) else None
        if isinstance(body.get("detail"), str):
            return body["detail"], code
        for field, value in body.items():
            if isinstance(value, list) and value and isinstance(value[0], str):
                return (value[0] if field == "non_field_errors" else f"{field}: {value[0]}"), code
            if isinstance(value, str) and field != "code":
                return f"{field}: {value}", code
        if code:
            return code, code
    if isinstance(body, list) and body and isinstance(body[0], str):
        return body[0], None
    return (f"HTTP {response.status_code} from Recall", None)


def _error_for(response: httpx.Response) -> RecallError:
    status = response.status_code
    detail, code = error_detail(response)
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    if status == 429:
        return RecallRateLimited("Recall rate limit reached", retry_after=retry_after or 1.0)
    if status == 507:
        return RecallNoCapacity(detail, retry_after=retry_after or NO_CAPACITY_RETRY_SECONDS)
    if status in (401, 402):
        return RecallAuthError(status, detail)
    if status == 404:
        return RecallNotFound(detail)
    if status == 409 or status >= 500:
        return RecallUnavailable(f"Recall answered {status}", retry_after=retry_after)
    return RecallRejected(status, detail, code)


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise RecallUnavailable("Recall sent a response that is not JSON") from exc
    if not isinstance(body, dict):
        raise RecallUnavailable("Recall sent an unexpected response shape")
    return body
