"""FakeZoom: Zoom's OAuth server and the one REST API call we make, on 127.0.0.1, over real HTTP,
with Zoom's response shapes.

    with FakeZoom() as zoom:
        zoom.base_url                     # ZOOM_OAUTH_BASE_URL and ZOOM_API_BASE_URL
        zoom.approving_user = "zoom-ada"  # who approves at /oauth/authorize (None: "Deny")
        zoom.revoke_user("zoom-ada")      # the user removed the app in Zoom
        zoom.expire_access_tokens()       # every access token now answers 401

Routes (Zoom's "OAuth 2.0" and "Join external meetings as a bot (OBF)" pages):

- ``GET /oauth/authorize?response_type=code&client_id&redirect_uri&state``: the user's consent,
  answered at once as a 302 back to ``redirect_uri`` with ``code`` and ``state`` (or
  ``error=access_denied`` when nobody approves).
- ``POST /oauth/token`` (HTTP Basic with the client id and secret; a form): ``authorization_code``
  (each code works once, with the same redirect_uri) and ``refresh_token`` (Zoom replaces the
  refresh token each time: the old one stops working). Answers ``{access_token, token_type,
  refresh_token, expires_in, scope, api_url}``; errors ``{"reason", "error"}``.
- ``POST /oauth/revoke`` (Basic; form ``token``): ``{"status": "success"}``.
- ``GET /v2/users/me/token?type=onbehalf`` (Bearer): ``{"token": ...}``; an expired or unknown
  access token gets 401 ``{"code": 124, "message": ...}``.

Tokens are JWT-shaped (``eyJ…``), as Zoom's are. Time is ``clock()`` in seconds (tests hand in
the app's clock, so moving it expires tokens).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, Response, redirect, request

from tests.fakes.server import LocalServer, ServedFake

CLIENT_ID = "zoomClientId123"
CLIENT_SECRET = "zoomClientSecretABCDEF123456"
ACCESS_LIFETIME = 3600  # Zoom's access tokens live an hour


@dataclass
class _Grant:
    user: str
    refresh_token: str
    access_token: str
    expires_at: float


@dataclass
class ZoomRequest:
    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeZoom(ServedFake):
    clock: Callable[[], float] = time.time
    approving_user: str | None = "zoom-ada"
    requests: list[ZoomRequest] = field(default_factory=list)
    obf_tokens: list[str] = field(default_factory=list)  # every OBF token handed out

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[str, tuple[str, str]] = {}  # code -> (user, redirect_uri)
        self._grants: dict[str, _Grant] = {}  # by refresh token
        self._access: dict[str, _Grant] = {}  # by access token
        self._server = LocalServer(self._build_app())

    # --- lifecycle and scripting ----------------------------------------------------------------

    def revoke_user(self, user: str) -> None:
        """The user removed the app in Zoom: every token of theirs stops working."""
        with self._lock:
            for token, grant in list(self._grants.items()):
                if grant.user == user:
                    del self._grants[token]
                    self._access.pop(grant.access_token, None)

    def expire_access_tokens(self) -> None:
        """Every access token expires now (refresh tokens still work)."""
        with self._lock:
            for grant in self._grants.values():
                grant.expires_at = self.clock() - 1

    def tokens_of(self, user: str) -> list[str]:
        """The user's live access and refresh tokens (to look for them in logs)."""
        with self._lock:
            return [
                token
                for grant in self._grants.values()
                if grant.user == user
                for token in (grant.access_token, grant.refresh_token)
            ]

    def calls(self, path: str) -> list[ZoomRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # --- HTTP ---------------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask("fake_zoom")
        app.add_url_rule("/oauth/authorize", "authorize", self._authorize, methods=["GET"])
        app.add_url_rule("/oauth/token", "token", self._token, methods=["POST"])
        app.add_url_rule("/oauth/revoke", "revoke", self._revoke, methods=["POST"])
        app.add_url_rule("/v2/users/me/token", "user_token", self._user_token, methods=["GET"])
        app.before_request(self._record)
        return app

    def _record(self) -> None:
        with self._lock:
            self.requests.append(
                ZoomRequest(
                    request.method,
                    request.path,
                    dict(request.form),
                    {k.lower(): v for k, v in request.headers.items()},
                )
            )

    def _authorize(self) -> Response:
        args = request.args
        if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code":
            return _json({"reason": "Invalid client_id", "error": "invalid_client"}, 400)
        redirect_uri, state = args.get("redirect_uri", ""), args.get("state", "")
        if self.approving_user is None:
            query = urlencode({"error": "access_denied", "state": state})
            return redirect(f"{redirect_uri}?{query}", 302)
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = (self.approving_user, redirect_uri)
        return redirect(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", 302)

    def _token(self) -> Response:
        if not _client_ok():
            return _json(
                {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, 401
            )
        form = request.form
        with self._lock:
            if form.get("grant_type") == "authorization_code":
                found = self._codes.pop(form.get("code", ""), None)
                if found is None or found[1] != form.get("redirect_uri"):
                    return _json(
                        {"reason": "Invalid authorization code", "error": "invalid_grant"}, 400
                    )
                return _json(self._issue(found[0]))
            if form.get("grant_type") == "refresh_token":
                grant = self._grants.pop(form.get("refresh_token", ""), None)
                if grant is None:
                    return _json({"reason": "Invalid Token!", "error": "invalid_request"}, 400)
                self._access.pop(grant.access_token, None)
                return _json(self._issue(grant.user))
        return _json({"reason": "Unsupported grant type", "error": "unsupported_grant_type"}, 400)

    def _revoke(self) -> Response:
        if not _client_ok():
            return _json(
                {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, 401
            )
        token = request.form.get("token", "")
        with self._lock:
            grant = self._access.get(token) or self._grants.get(token)
            if grant is not None:
                self._grants.pop(grant.refresh_token, None)
                self._access.pop(grant.access_token, None)
        return _json({"status": "success"})

    def _user_token(self) -> Response:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
        with self._lock:
            grant = self._access.get(token)
            if grant is None:
                return _json({"code": 124, "message": "Invalid access token."}, 401)
            if grant.expires_at <= self.clock():
                return _json({"code": 124, "message": "Access token is expired."}, 401)
            if request.args.get("type") != "onbehalf":
                return _json({"code": 300, "message": "Invalid type."}, 400)
            obf = _jwt({"typ": "onbehalf", "sub": grant.user, "n": secrets.token_hex(8)})
            self.obf_tokens.append(obf)
        return _json({"token": obf})

    def _issue(self, user: str) -> dict[str, object]:
        access = _jwt({"sub": user, "typ": "access", "n": secrets.token_hex(8)})
        refresh = _jwt({"sub": user, "typ": "refresh", "n": secrets.token_hex(8)})
        grant = _Grant(user, refresh, access, self.clock() + ACCESS_LIFETIME)
        self._grants[refresh] = grant
        self._access[access] = grant
        return {
            "access_token": access,
            "token_type": "bearer",
            "refresh_token": refresh,
            "expires_in": ACCESS_LIFETIME - 1,
            "scope": "user:read:token",
            "api_url": "https://api.zoom.us",
        }


def _client_ok() -> bool:
    auth = request.authorization
    return auth is not None and (auth.username, auth.password) == (CLIENT_ID, CLIENT_SECRET)


def _jwt(claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS512', 'v': '2.0'})}.{part(claims)}.{secrets.token_urlsafe(32)}"


def _json(body: dict[str, object], status: int = 200) -> Response:
    return Response(json.dumps(body), status, mimetype="application/json")
