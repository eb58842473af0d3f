"""FakeRecall: Recall.ai's bot API on 127.0.0.1, over real HTTP, with real response shapes.

    with FakeRecall(api_key="test-recall-key") as recall:
        client = RecallClient(base_url=recall.base_url, api_key="test-recall-key")
        bot = client.create_bot("https://zoom.us/j/123")
        recall.run_meeting(bot["id"])             # script the bot's life from the test
        recall.inject("POST", r"^/api/v1/bot/$", 507)   # or make the next call fail
        recall.rate_limits = {"create": 60, "list": 60, "retrieve": 300}  # Recall's 429s

Routes: ``POST/GET /api/v1/bot/``, ``GET/DELETE /api/v1/bot/<id>/``,
``POST /api/v1/bot/<id>/leave_call/``, ``POST /api/v1/bot/<id>/delete_media/`` and the signed
``GET /media/<id>.mp4`` that ``download_url`` points at. The bot state and the scripting
methods (``push_status``, ``run_meeting``, ...) live in ``BotStore`` (recall_store.py).

Order of checks for each request: recorded -> scripted ``inject`` rule -> random fault ->
firewall (GET with a body) -> auth -> rate limit -> Idempotency-Key replay -> ``delay_next`` ->
the route.

Rate limits (off unless ``rate_limits`` is set): calls per minute per endpoint class, ``create``
(POST /api/v1/bot/), ``list`` (GET /api/v1/bot/) and ``retrieve`` (every other /api/ call), in
a sliding 60-second window on ``clock`` (seconds; tests may hand it their own). Over the limit
the answer is 429 ``{"detail": "Request was throttled."}`` with ``Retry-After`` = whole seconds
until the window frees a slot; ``throttled`` counts those by class. Throttled, injected and
randomly faulted requests do not use up the allowance.
"""

from __future__ import annotations

import http
import io
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, g, request, send_file
from werkzeug.exceptions import HTTPException

from tests.fakes import recall_shapes as shapes
from tests.fakes.faults import CannedResponse, FaultPlan, Rule
from tests.fakes.rate_limits import RateLimiter, endpoint_class, retry_after_header
from tests.fakes.recall_store import BotStore
from tests.fakes.recall_transcripts import TranscriptScripts
from tests.fakes.server import LocalServer, ServedFake

DEFAULT_API_KEY = "test-recall-key"
DEFAULT_PAGE_SIZE = 50
SAMPLE_MP4 = Path(__file__).resolve().parents[1] / "data" / "sample.mp4"
# Served when tests/data/sample.mp4 is absent: an MP4 "ftyp" box plus padding, big enough for
# Range requests to mean something.
PLACEHOLDER_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64 * 1024)

_DEFAULT_DETAILS = {
    429: "Request was throttled. Expected available in 1 second.",
    500: "A server error occurred.",
    502: "Bad gateway.",
    503: "Service temporarily unavailable, try again later.",
    504: "Gateway timeout.",
    # Recall does not document the 507 body; this is a guess.
    507: "No bots are available right now, please try again in 30 seconds.",
}
# Recall's firewall answers a GET that carries a body with a 403 HTML page.
_FIREWALL_PAGE = b"<html><head><title>403 Forbidden</title></head><body>Forbidden</body></html>"
_CREATE_PATH = "/api/v1/bot/"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it. ``headers`` keys are lower-case; ``at`` is
    ``time.time()``; ``json`` is the decoded body or None."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    json: object | None
    at: float


def _error_body(status: int) -> bytes:
    if status == 204:
        return b""
    detail = _DEFAULT_DETAILS.get(status) or http.HTTPStatus(status).phrase
    return json.dumps({"detail": detail}).encode()


def _json_response(status: int, payload: object, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(payload), status, headers, mimetype="application/json")


class FakeRecall(TranscriptScripts, BotStore, ServedFake):
    """Recall's bot API served locally. Thread-safe; see the module docstring for the flow."""

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        *,
        auto_progress: bool = False,
        page_size: int = DEFAULT_PAGE_SIZE,
        fault_rate: float = 0.0,
        fault_statuses: tuple[int, ...] | list[int] = (429, 500, 503, 507),
        fault_seed: int | None = None,
        sample_mp4: Path | None = SAMPLE_MP4,
        rate_limits: dict[str, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(auto_progress=auto_progress)
        self._init_transcripts()
        self.api_key = api_key
        self.page_size = page_size
        self.fault_statuses = list(fault_statuses)
        self.sample_mp4 = sample_mp4
        self.requests: list[RecordedRequest] = []
        # (method, path, HTTP status) of every answer given, faults and 429s included.
        self.answers: list[tuple[str, str, int]] = []
        self._faults = FaultPlan(fault_rate, fault_seed)
        self._limiter = RateLimiter(rate_limits, clock)
        self._replays: dict[tuple[str, str], CannedResponse] = {}
        self._in_flight: set[tuple[str, str]] = set()
        self._server = LocalServer(self._build_app())

    # --- lifecycle ----------------------------------------------------------------------------

    def _started(self) -> None:
        self._media_base = self.base_url

    # --- faults -------------------------------------------------------------------------------

    @property
    def fault_rate(self) -> float:
        """Share of /api/ requests (0..1) answered with a random status from fault_statuses."""
        return self._faults.rate

    @fault_rate.setter
    def fault_rate(self, rate: float) -> None:
        with self._lock:
            self._faults.rate = rate

    def reseed_faults(self, seed: int) -> None:
        """Make the random faults from here on a fixed, replayable sequence."""
        with self._lock:
            self._faults.reseed(seed)

    def inject(
        self,
        method: str,
        path_regex: str,
        status: int,
        json: object = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        delay: float = 0.0,
        body: str | bytes | None = None,
    ) -> None:
        """Answer the next ``times`` requests whose method (or ``"*"``) matches and whose path
        the regex *searches* with this response, after sleeping ``delay`` seconds.

        Without ``json`` or ``body`` the body is ``{"detail": ...}``. Headers are sent exactly
        as given (no automatic Retry-After). Only 2xx injected answers are kept for
        Idempotency-Key replay.
        """
        if json is not None:
            payload = _json_dumps(json)
            content_type = "application/json"
        elif body is not None:
            payload = body.encode() if isinstance(body, str) else body
            content_type = "text/plain; charset=utf-8"
        else:
            payload = _error_body(status)
            content_type = "application/json"
        all_headers = {"Content-Type": content_type, **(headers or {})}
        canned = CannedResponse(status, payload, all_headers)
        rule = Rule(method, re.compile(path_regex), times, delay, canned)
        with self._lock:
            self._faults.add(rule)

    def delay_next(self, method: str, path_regex: str, seconds: float, times: int = 1) -> None:
        """Sleep ``seconds`` before handling the next ``times`` matching requests normally
        (to provoke client timeouts; an Idempotency-Key is "in progress" meanwhile)."""
        with self._lock:
            self._faults.add(Rule(method, re.compile(path_regex), times, seconds))

    def clear_faults(self) -> None:
        """Drop pending inject/delay_next rules and stop random faults."""
        with self._lock:
            self._faults.clear()
            self._faults.rate = 0.0

    # --- rate limits ---------------------------------------------------------------------------

    @property
    def rate_limits(self) -> dict[str, int] | None:
        """Calls per minute by endpoint class (``create``, ``list``, ``retrieve``); None: off."""
        return self._limiter.limits

    @rate_limits.setter
    def rate_limits(self, limits: dict[str, int] | None) -> None:
        with self._lock:
            self._limiter.limits = dict(limits) if limits is not None else None

    @property
    def clock(self) -> Callable[[], float]:
        """Seconds, for the rate-limit window (default ``time.monotonic``)."""
        return self._limiter.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        with self._lock:
            self._limiter.clock = clock

    @property
    def throttled(self) -> Counter[str]:
        """How many requests were answered 429 for the rate limit, by endpoint class."""
        with self._lock:
            return Counter(self._limiter.throttled)

    def calls_in_window(self, kind: str) -> int:
        """Accepted calls of an endpoint class in the last 60 seconds of ``clock``."""
        with self._lock:
            return self._limiter.in_window(kind)

    # --- recorded traffic ---------------------------------------------------------------------

    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        """Recorded requests with this method (or ``"*"``) whose path the regex searches."""
        pattern = re.compile(path_regex)
        with self._lock:
            return [
                r
                for r in self.requests
                if (method == "*" or r.method == method.upper()) and pattern.search(r.path)
            ]

    # --- HTTP plumbing ------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask("fake_recall")
        app.before_request(self._before_request)
        app.after_request(self._after_request)
        app.teardown_request(self._teardown_request)
        app.register_error_handler(HTTPException, self._http_error)
        route = app.add_url_rule
        route(_CREATE_PATH, "create", self._create, methods=["POST"])
        route(_CREATE_PATH, "list", self._list, methods=["GET"])
        route("/api/v1/bot/<bot_id>/", "retrieve", self._retrieve, methods=["GET"])
        route("/api/v1/bot/<bot_id>/", "delete", self._delete, methods=["DELETE"])
        route("/api/v1/bot/<bot_id>/leave_call/", "leave", self._leave_call, methods=["POST"])
        route("/api/v1/bot/<bot_id>/delete_media/", "rm", self._delete_media, methods=["POST"])
        route("/media/<bot_id>.mp4", "media", self._media, methods=["GET"])
        route(
            "/api/v1/recording/<recording_id>/create_transcript/",
            "create_transcript",
            self._create_transcript,
            methods=["POST"],
        )
        route("/media/docs/<doc_id>.json", "document", self._document, methods=["GET"])
        return app

    def _before_request(self) -> Response | None:
        self._record()
        with self._lock:
            rule = self._faults.take(request.method, request.path)
        if rule is not None and rule.response is not None:
            time.sleep(rule.delay)
            return self._canned(rule.response)
        if request.path.startswith("/api/"):
            refused = self._refuse_api_request()
            if refused is not None:
                return refused
        if rule is not None:
            time.sleep(rule.delay)  # delay_next: the key above is now "in progress"
        return None

    def _refuse_api_request(self) -> Response | None:
        """Random fault, firewall, auth and idempotency: the gates in front of every route."""
        fault = self._random_fault()
        if fault is not None:
            return fault
        if request.method == "GET" and request.get_data():
            return Response(_FIREWALL_PAGE, 403, mimetype="text/html")
        if request.headers.get("Authorization") != f"Token {self.api_key}":
            return _json_response(401, {"detail": "Invalid token."}, {"WWW-Authenticate": "Token"})
        throttled = self._throttle()
        if throttled is not None:
            return throttled
        return self._claim_idempotency_key()

    def _throttle(self) -> Response | None:
        """429 with Retry-After when this endpoint class is over its per-minute limit."""
        kind = endpoint_class(request.method, request.path)
        if kind is None:
            return None
        with self._lock:
            wait = self._limiter.admit(kind)
        if wait is None:
            return None
        return _json_response(
            429, {"detail": "Request was throttled."}, {"Retry-After": retry_after_header(wait)}
        )

    def _claim_idempotency_key(self) -> Response | None:
        """Replay an answered key; 409 while the same key is still running."""
        key = request.headers.get("Idempotency-Key")
        if request.method not in ("POST", "PUT", "PATCH") or not key:
            return None
        scope = (request.path, key)
        with self._lock:
            if scope in self._replays:
                return self._canned(self._replays[scope], store=False)
            if scope in self._in_flight:
                detail = "A request with this Idempotency-Key is already being processed."
                return _json_response(409, {"detail": detail})
            self._in_flight.add(scope)
            g.idempotency_scope = scope
        return None

    def _after_request(self, response: Response) -> Response:
        with self._lock:
            self.answers.append((request.method, request.path, response.status_code))
        scope = g.pop("idempotency_scope", None)
        if scope is not None and not response.direct_passthrough:
            stored = CannedResponse(
                response.status_code,
                response.get_data(),
                {"Content-Type": response.content_type or "application/json"},
            )
            with self._lock:
                self._replays[scope] = stored
                self._in_flight.discard(scope)
        return response

    def _teardown_request(self, _exc: BaseException | None) -> None:
        scope = g.pop("idempotency_scope", None)
        if scope is not None:  # the route crashed: the key is free again
            with self._lock:
                self._in_flight.discard(scope)

    def _canned(self, canned: CannedResponse, store: bool = True) -> Response:
        key = request.headers.get("Idempotency-Key")
        if store and key and 200 <= canned.status < 300 and request.method != "GET":
            with self._lock:
                self._replays[(request.path, key)] = canned
        return Response(canned.body, canned.status, canned.headers)

    def _random_fault(self) -> Response | None:
        with self._lock:
            if not self._faults.roll():
                return None
            # 507 means "no ad-hoc bot free": only Create Bot can say it.
            is_create = request.method == "POST" and request.path == _CREATE_PATH
            options = [s for s in self.fault_statuses if s != 507 or is_create]
            if not options:
                return None
            status = self._faults.choose(options)
        headers = {"Retry-After": "1"} if status == 429 else {}
        return Response(_error_body(status), status, headers, mimetype="application/json")

    def _record(self) -> None:
        entry = RecordedRequest(
            method=request.method,
            path=request.path,
            query={k: request.args.getlist(k) for k in request.args},
            headers={k.lower(): v for k, v in request.headers.items()},
            json=request.get_json(force=True, silent=True),
            at=time.time(),
        )
        with self._lock:
            self.requests.append(entry)

    def _http_error(self, error: HTTPException) -> Response:
        """Django REST framework's JSON errors instead of Flask's HTML pages."""
        if error.code == 405:
            return _json_response(405, {"detail": f'Method "{request.method}" not allowed.'})
        if error.code == 404:
            return _json_response(404, {"detail": "Not found."})
        return error.get_response()  # e.g. the 308 redirect for a path without its slash

    # --- routes -------------------------------------------------------------------------------

    def _create(self) -> Response:
        try:
            body = json.loads(request.get_data() or b"null")
        except ValueError as error:
            return _json_response(400, {"detail": f"JSON parse error - {error}"})
        status, payload = self.create(body)
        return _json_response(status, payload)

    def _retrieve(self, bot_id: str) -> Response:
        bot = self.retrieve(bot_id)
        return _json_response(200, bot) if bot else _json_response(404, {"detail": "Not found."})

    def _list(self) -> Response:
        args = request.args
        moments = {}
        for name in ("join_at_after", "join_at_before"):
            raw = args.get(name)
            moments[name] = shapes.parse_iso(raw) if raw else None
            if raw and moments[name] is None:
                return _json_response(400, {name: ["Enter a valid date/time."]})
        metadata = {
            key.removeprefix("metadata__"): value
            for key, value in args.items()
            if key.startswith("metadata__")
        }
        with self._lock:
            if self.auto_progress:
                # Looking at the list is looking at every bot: each moves one step on, just
                # as a Retrieve moves its own (the world goes on whoever asks, and how).
                for bot_id in list(self._created):
                    self._advance(bot_id)
            found = self._matching(
                statuses=args.getlist("status"),
                platforms=args.getlist("platform"),
                metadata=metadata,
                **moments,
            )
            return self._page(found)

    def _page(self, found: list[dict[str, Any]]) -> Response:
        """Django REST PageNumberPagination: page 1 may be empty, other pages must exist.
        ``found`` holds stored bots; only the page's own are rendered."""
        size = max(1, self.page_size)
        try:
            page = int(request.args.get("page", "1"))
        except ValueError:
            page = 0
        last = max(1, -(-len(found) // size))
        if page < 1 or page > last:
            return _json_response(404, {"detail": "Invalid page."})
        results = [self._render(bot) for bot in found[(page - 1) * size : page * size]]
        return _json_response(
            200,
            {
                "count": len(found),
                "next": self._page_link(page + 1) if page < last else None,
                "previous": self._page_link(page - 1) if page > 1 else None,
                "results": results,
            },
        )

    def _page_link(self, page: int) -> str:
        params = request.args.to_dict(flat=False)
        params.pop("page", None)
        if page > 1:  # like DRF, the link to page 1 carries no page parameter
            params["page"] = [str(page)]
        query = urlencode(params, doseq=True)
        return f"{self.base_url}{request.path}" + (f"?{query}" if query else "")

    def _delete(self, bot_id: str) -> Response:
        status, payload = self.delete(bot_id)
        return Response(b"", 204) if payload is None else _json_response(status, payload)

    def _leave_call(self, bot_id: str) -> Response:
        return _json_response(*self.leave_call(bot_id))

    def _delete_media(self, bot_id: str) -> Response:
        bot = self.delete_media(bot_id)
        return _json_response(200, bot) if bot else _json_response(404, {"detail": "Not found."})

    def _media(self, bot_id: str) -> Response:
        problem = self.media_problem(bot_id, request.args.get("X-Amz-Signature"))
        if problem is not None:
            status, code, message = problem
            xml = (
                "<?xml version='1.0' encoding='UTF-8'?>"
                f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
            )
            return Response(xml, status, mimetype="application/xml")
        # conditional=True gives Range / 206 / If-None-Match support, as S3 has.
        if self.sample_mp4 is not None and self.sample_mp4.exists():
            return send_file(self.sample_mp4, mimetype="video/mp4", conditional=True)
        return send_file(
            io.BytesIO(PLACEHOLDER_MP4),
            mimetype="video/mp4",
            conditional=True,
            download_name=f"{bot_id}.mp4",
        )


def _json_dumps(payload: object) -> bytes:
    # inject() has a ``json`` parameter (the brief's name), which hides the module there.
    return json.dumps(payload).encode()
