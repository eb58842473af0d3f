"""The HTTP client both Zoom clients use, and how Zoom's error answers read.

Zoom's OAuth endpoints answer errors as `{"reason": ..., "error": <RFC 6749 code>}`, its REST
API as `{"code": <number>, "message": ...}`; both are read here into bot/zoom/errors.py's tree.
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.zoom.errors import ZoomError, ZoomRejected, ZoomUnavailable

# Zoom answers in well under a second; Recall waits for a token just before joining.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def make_http_client(
    transport: httpx.BaseTransport | None = None, timeout: httpx.Timeout = DEFAULT_TIMEOUT
) -> httpx.Client:
    return httpx.Client(
        headers={"Accept": "application/json", "User-Agent": "slack-record"},
        timeout=timeout,
        transport=transport or httpx.HTTPTransport(retries=2),
    )


def send(http: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request; network trouble becomes ZoomUnavailable, naming only its kind (the URL
    and body may hold a code or a token)."""
    try:
        return http.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise ZoomUnavailable(f"Zoom did not answer in time ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise ZoomUnavailable(f"could not reach Zoom ({type(exc).__name__})") from exc


def json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise ZoomUnavailable(f"Zoom answered {response.status_code} with no JSON") from exc
    if not isinstance(body, dict):
        raise ZoomUnavailable("Zoom sent an unexpected response shape")
    return body


def error_words(response: httpx.Response) -> tuple[str | None, str]:
    """(the error code, Zoom's words) of an error answer, whichever of its shapes it has."""
    try:
        body = response.json()
    except ValueError:
        return None, f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return None, f"HTTP {response.status_code}"
    code = body.get("error") if isinstance(body.get("error"), str) else None
    if code is None and isinstance(body.get("code"), int | str):
        code = str(body["code"])
    for key in ("reason", "error_description", "message"):
        if isinstance(body.get(key), str) and body[key]:
            return code, body[key][:200]
    return code, code or f"HTTP {response.status_code}"


def passing_trouble(response: httpx.Response) -> ZoomError | None:
    """5xx and 429: Zoom may answer differently in a moment."""
    if response.status_code == 429 or response.status_code >= 500:
        return ZoomUnavailable(f"Zoom answered {response.status_code}")
    return None


def rejected(response: httpx.Response) -> ZoomRejected:
    _, words = error_words(response)
    return ZoomRejected(response.status_code, words)
