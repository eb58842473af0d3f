"""FakeSlack: the Slack Web API methods our app uses, plus response_url hooks, on 127.0.0.1.

    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test-token", base_url=slack.api_url)
        client.chat_postMessage(channel="C0CHAN1", text="hi")
        assert slack.last_message("C0CHAN1")["text"] == "hi"
        slack.inject("chat.postMessage", error="ratelimited", status=429,
                     headers={"Retry-After": "1"})

``POST /api/<method>`` (GET with a query string works too) takes form or JSON bodies like
slack_sdk sends, the token as ``Authorization: Bearer`` or a ``token`` argument, and always
answers JSON in Slack's shapes. ``POST /hooks/<name>`` is a response_url (``response_url()``).

Order of checks for each API call: recorded -> scripted ``inject`` rule -> random fault ->
unknown method -> token -> scope -> the method. A "lost response" (``inject(..., after=True)``
or the random ``"lost_response"``) runs the call through the later checks and the method, then
answers the canned error instead, as if Slack did the work but its answer never arrived.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, request

from tests.fakes.faults import CannedResponse, FaultPlan, Rule
from tests.fakes.server import LocalServer, ServedFake
from tests.fakes.slack_api import (
    DEFAULT_BOT_TOKEN,
    DEFAULT_SCOPES,
    LIST_SCOPES,
    LOST_RESPONSE,
    READ_METHODS,
    RESPONSE_URL_LIMIT,
    SCOPES,
    TYPED_SCOPES,
    SlackCall,
    client_credentials,
    decode_args,
    json_response,
    ok,
    required,
)
from tests.fakes.slack_workspace import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    Json,
    SlackError,
    Workspace,
    dm_id_for,
    is_user_id,
)

__all__ = ["DEFAULT_BOT_TOKEN", "DEFAULT_SCOPES", "LOST_RESPONSE", "FakeSlack", "SlackCall"]


@dataclass
class _Installation:
    team_id: str
    team_name: str
    bot_user_id: str


class FakeSlack(ServedFake):
    """Slack's Web API for one app, thread-safe; see the module docstring."""

    def __init__(
        self,
        bot_token: str = DEFAULT_BOT_TOKEN,
        team_id: str = "T0001",
        *,
        team_name: str = "Acme",
        team_domain: str = "acme",
        client_id: str = "fake-client-id",
        client_secret: str = "fake-client-secret",
        scopes: set[str] | frozenset[str] = DEFAULT_SCOPES,
        fault_rate: float = 0.0,
        fault_errors: tuple[str, ...] | list[str] = ("ratelimited", "internal_error"),
        fault_seed: int | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.team_name = team_name
        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = set(scopes)
        self.fault_errors = list(fault_errors)
        self.calls: list[SlackCall] = []
        self.responses: dict[str, list[Json]] = defaultdict(list)
        self.workspace = Workspace(team_domain)
        self._lock = threading.RLock()
        self._faults = FaultPlan(fault_rate, fault_seed)
        self._tokens = {bot_token: _Installation(team_id, team_name, BOT_USER_ID)}
        self._revoked: set[str] = set()
        self._oauth_codes: dict[str, Json] = {}
        self._methods: dict[str, Callable[[Json, _Installation], Json]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.getPermalink": self._permalink,
            "conversations.join": self._join,
            "conversations.info": self._info,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "conversations.list": self._list,
            "users.info": self._users_info,
        }
        self._server = LocalServer(self._build_app())

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """What to pass as ``WebClient(base_url=...)``: ends with ``/api/``."""
        return self.base_url + "/api/"

    # --- workspace setup ----------------------------------------------------------------------

    def add_channel(
        self,
        id: str,
        name: str = "general",
        is_private: bool = False,
        is_member: bool = True,
        is_archived: bool = False,
    ) -> None:
        with self._lock:
            self.workspace.add_channel(id, name, is_private, is_member, is_archived)

    def add_user(
        self,
        id: str,
        name: str,
        tz: str = "Europe/Berlin",
        tz_offset: int = 3600,
        is_admin: bool = False,
        is_owner: bool = False,
    ) -> None:
        with self._lock:
            self.workspace.add_user(
                id, name, tz, tz_offset, is_admin, is_owner, team_id=self.team_id
            )

    def add_dm(self, user_id: str) -> str:
        """Open the app's DM with a user (as if they used the Messages tab); returns ``D…``."""
        with self._lock:
            return self.workspace.add_dm(user_id)

    @property
    def messages_tab_enabled(self) -> bool:
        return self.workspace.messages_tab_enabled

    @messages_tab_enabled.setter
    def messages_tab_enabled(self, enabled: bool) -> None:
        with self._lock:
            self.workspace.messages_tab_enabled = enabled

    def add_oauth_code(
        self,
        code: str,
        *,
        team_id: str = "T0002",
        team_name: str = "Beta",
        access_token: str | None = None,
        bot_user_id: str = "UBOT2",
        authed_user_id: str = "U0USER1",
        enterprise_id: str | None = None,
    ) -> str:
        """Make ``oauth.v2.access(code=...)`` succeed once; returns the bot token it issues,
        which then works for Web API calls as that team. With ``enterprise_id``, the team is
        a workspace of that Enterprise Grid org."""
        token = access_token or f"xoxb-{team_id}-{code}"
        with self._lock:
            self._oauth_codes[code] = {
                "token": token,
                "team": {"id": team_id, "name": team_name},
                "enterprise": {"id": enterprise_id, "name": "Grid"} if enterprise_id else None,
                "bot_user_id": bot_user_id,
                "authed_user_id": authed_user_id,
            }
        return token

    def revoke_token(self, token: str) -> None:
        """Later calls with ``token`` fail with ``token_revoked`` (app uninstalled)."""
        with self._lock:
            self._revoked.add(token)

    def unrevoke_token(self, token: str) -> None:
        """The token works again (an admin reinstalled the app with the same token)."""
        with self._lock:
            self._revoked.discard(token)

    # --- faults -------------------------------------------------------------------------------

    @property
    def fault_rate(self) -> float:
        """Share of API calls (except auth.test) that get a random fault from fault_errors:
        an error name, or ``"lost_response"`` (the call is performed, then answered HTTP 500
        ``internal_error``; calls that only read, see ``READ_METHODS``, are spared that one)."""
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
        error: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        delay: float = 0.0,
        after: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` (``"*"`` = any) answer ``{"ok": false,
        "error": error}`` with this HTTP status and headers.

        Normally the call is not performed; it is answered after ``delay`` seconds, by default
        ``ratelimited`` with status 200. With ``after`` it is a lost response: the call is
        performed (the message is posted, updated...), then after ``delay`` seconds (say, past
        the client's timeout) answered, by default ``internal_error`` with status 500.
        """
        error = error or ("internal_error" if after else "ratelimited")
        status = status or (500 if after else 200)
        body = json.dumps({"ok": False, "error": error}).encode()
        canned = CannedResponse(
            status, body, {"Content-Type": "application/json", **(headers or {})}
        )
        pattern = re.compile(".*" if method == "*" else f"^{re.escape(method)}$")
        with self._lock:
            self._faults.add(Rule("*", pattern, times, delay, canned, after=after))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._faults.rate = 0.0

    # --- recorded traffic ---------------------------------------------------------------------

    def calls_to(self, method: str) -> list[SlackCall]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def messages(self, channel: str) -> list[Json]:
        """Messages the app posted to a channel (thread replies included), oldest first, as they
        are now. A user id means the app's DM with that user."""
        channel_id = dm_id_for(channel) if is_user_id(channel) else channel
        with self._lock:
            return json.loads(json.dumps(self.workspace.posts.get(channel_id, [])))

    def posts_by_kind(self, channel: str, kind: str) -> Counter[str]:
        """Messages really in a channel, counted per recording, whose metadata names the kind
        of post (`status`, `notice:ready`, ...): what exactly-once is checked against."""
        counts: Counter[str] = Counter()
        for message in self.messages(channel):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("post") == kind:
                counts[payload["recording_id"]] += 1
        return counts

    def last_message(self, channel: str) -> Json | None:
        posted = self.messages(channel)
        return posted[-1] if posted else None

    @property
    def channels(self) -> dict[str, Json]:
        """Snapshot of the channel model (e.g. to check ``is_member`` after a join)."""
        with self._lock:
            return json.loads(json.dumps(self.workspace.channels))

    def response_url(self, name: str = "1") -> str:
        """A response_url whose posts land in ``responses[name]``."""
        return f"{self.base_url}/hooks/{name}"

    # --- HTTP plumbing ------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask("fake_slack")
        app.add_url_rule("/api/<method>", "api", self._api, methods=["GET", "POST"])
        app.add_url_rule("/hooks/<name>", "hook", self._hook, methods=["POST"])
        return app

    def _api(self, method: str) -> Response:
        args, token = decode_args()
        with self._lock:
            self.calls.append(SlackCall(method, args, time.time()))
            rule = self._faults.take("*", method)
        if rule is not None:
            if rule.after:
                self._perform(method, args, token)
            time.sleep(rule.delay)
            if rule.response is not None:
                canned = rule.response
                return Response(canned.body, canned.status, canned.headers)
        else:
            error = self._random_fault(method)
            if error == LOST_RESPONSE:
                self._perform(method, args, token)
                return json_response({"ok": False, "error": "internal_error"}, 500)
            if error == "ratelimited":
                return json_response({"ok": False, "error": error}, 429, {"Retry-After": "1"})
            if error is not None:
                return json_response({"ok": False, "error": error})
        return self._perform(method, args, token)

    def _perform(self, method: str, args: Json, token: str | None) -> Response:
        try:
            with self._lock:
                return ok(self._call(method, args, token))
        except SlackError as failure:
            return json_response({"ok": False, "error": failure.error, **failure.extra})

    def _call(self, method: str, args: Json, token: str | None) -> Json:
        if method == "oauth.v2.access":  # authenticated by client id/secret, not a token
            return self._oauth_access(args)
        handler = self._methods.get(method)
        if handler is None:
            raise SlackError("unknown_method", req_method=method)
        if token in self._revoked:
            raise SlackError("token_revoked")
        installation = self._tokens.get(token or "")
        if installation is None:
            raise SlackError("invalid_auth")
        self._require_scope(method, args)
        return handler(args, installation)

    def _require_scope(self, method: str, args: Json) -> None:
        needed = SCOPES.get(method)
        if method == "conversations.list":  # one scope per type asked for
            types = str(args.get("types") or "public_channel").split(",")
            needed = next(
                (LIST_SCOPES[t] for t in types if LIST_SCOPES.get(t) not in self.scopes), None
            )
        if method in TYPED_SCOPES and args.get("channel"):
            public, private, direct = TYPED_SCOPES[method]
            channel = self.workspace.channels.get(args["channel"], {})
            needed = (
                direct if channel.get("is_im") else private if channel.get("is_private") else public
            )
        if needed and needed not in self.scopes:
            raise SlackError("missing_scope", needed=needed, provided=",".join(sorted(self.scopes)))

    def _random_fault(self, method: str) -> str | None:
        """The random fault for this call, if the dice say so: an entry of fault_errors."""
        with self._lock:
            options = self.fault_errors
            if method in READ_METHODS:
                options = [error for error in options if error != LOST_RESPONSE]
            # auth.test is spared so that app start-up is not part of the dice roll.
            if method == "auth.test" or not options or not self._faults.roll():
                return None
            return self._faults.choose(options)

    def _hook(self, name: str) -> Response:
        """A response_url: 5 posts, then ``expired_url`` (Slack's exact answer is undocumented)."""
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict):
            return Response("invalid_payload", 400, mimetype="text/plain")
        with self._lock:
            if len(self.responses[name]) >= RESPONSE_URL_LIMIT:
                return Response("expired_url", 404, mimetype="text/plain")
            self.responses[name].append(body)
        return Response("ok", 200, mimetype="text/plain")

    # --- methods ------------------------------------------------------------------------------

    def _auth_test(self, _args: Json, install: _Installation) -> Json:
        return {
            "url": f"https://{self.workspace.team_domain}.slack.com/",
            "team": install.team_name,
            "user": "recorder",
            "team_id": install.team_id,
            "user_id": install.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, args: Json, install: _Installation) -> Json:
        channel_id = self.workspace.postable(required(args, "channel"), self.scopes)
        if not any(args.get(key) for key in ("text", "blocks", "attachments")):
            raise SlackError("no_text")
        message = self.workspace.post(channel_id, args, install.team_id)
        return {"channel": channel_id, "ts": message["ts"], "message": dict(message)}

    def _update(self, args: Json, _install: _Installation) -> Json:
        channel_id, ts = required(args, "channel"), required(args, "ts", "message_not_found")
        if not any(key in args for key in ("text", "blocks", "attachments")):
            raise SlackError("no_text")
        message = self.workspace.update(channel_id, ts, args)
        return {"channel": channel_id, "ts": ts, "text": message["text"], "message": dict(message)}

    def _post_ephemeral(self, args: Json, _install: _Installation) -> Json:
        self.workspace.postable(required(args, "channel"), self.scopes)
        required(args, "user", "user_not_found")
        return {"message_ts": self.workspace.next_ts()}

    def _permalink(self, args: Json, _install: _Installation) -> Json:
        channel_id = required(args, "channel")
        self.workspace.channel(channel_id)
        link = self.workspace.permalink(
            channel_id, required(args, "message_ts", "message_not_found")
        )
        return {"channel": channel_id, "permalink": link}

    def _join(self, args: Json, _install: _Installation) -> Json:
        channel, already = self.workspace.join(required(args, "channel"))
        answer: Json = {"channel": dict(channel)}
        if already:
            answer["warning"] = "already_in_channel"
        return answer

    def _info(self, args: Json, _install: _Installation) -> Json:
        return {"channel": dict(self.workspace.visible(required(args, "channel")))}

    def _history(self, args: Json, _install: _Installation) -> Json:
        channel = self.workspace.readable(required(args, "channel"))
        page, cursor = self.workspace.history(channel["id"], args)
        return {
            "messages": page,
            "has_more": bool(cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }

    def _list(self, args: Json, _install: _Installation) -> Json:
        page, cursor = self.workspace.conversations(args)
        return {"channels": page, "response_metadata": {"next_cursor": cursor}}

    def _replies(self, args: Json, _install: _Installation) -> Json:
        channel = self.workspace.readable(required(args, "channel"))
        page, cursor = self.workspace.replies(channel["id"], args)
        return {
            "messages": page,
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _users_info(self, args: Json, _install: _Installation) -> Json:
        user = self.workspace.users.get(required(args, "user", "user_not_found"))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": dict(user)}

    def _oauth_access(self, args: Json) -> Json:
        client_id, client_secret = client_credentials(args)
        if client_id != self.client_id:
            raise SlackError("invalid_client_id")
        if client_secret != self.client_secret:
            raise SlackError("bad_client_secret")
        grant = self._oauth_codes.pop(args.get("code") or "", None)  # codes work once
        if grant is None:
            raise SlackError("invalid_code")
        team = grant["team"]
        self._tokens[grant["token"]] = _Installation(team["id"], team["name"], grant["bot_user_id"])
        return {
            "access_token": grant["token"],
            "token_type": "bot",
            "scope": ",".join(sorted(self.scopes)),
            "bot_user_id": grant["bot_user_id"],
            "app_id": APP_ID,
            "team": dict(team),
            "enterprise": grant["enterprise"],
            "authed_user": {"id": grant["authed_user_id"]},
            "is_enterprise_install": False,
        }
