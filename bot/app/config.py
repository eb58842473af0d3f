"""Settings: the one place that knows environment variable names.

`Settings.from_env(os.environ)` is called at the command-line edge (`bot.cli`); everything else
receives the frozen `Settings` object, so the core is testable without touching `os.environ`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

from bot.app.meeting_settings import MeetingSettings, read_meeting_settings
from bot.recall.transcripts import PROVIDERS as TRANSCRIPT_PROVIDERS

RECALL_REGIONS = ("us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1")
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_PATH = "./data/slack-record.db"

# What each way of connecting to Slack needs (README, "Installing"):
REQUIRED = {
    "http": ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "RECALL_API_KEY"),
    "socket": ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "RECALL_API_KEY"),
    "oauth": (
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "SLACK_STATE_SECRET",
        "SLACK_SIGNING_SECRET",
        "RECALL_API_KEY",
    ),
}
LAYOUTS = {"speaker": "speaker_view", "gallery": "gallery_view_v2"}
# A METRICS_TOKEN shorter than this is still used as set (the contract is "when set, it is
# required"), but `check` and the start-up log call it easy to guess.
METRICS_TOKEN_ADVISED = 16
METRICS_TOKEN_WEAK = (
    f"METRICS_TOKEN is shorter than {METRICS_TOKEN_ADVISED} characters, so it is easy to guess: "
    "use a long random string (say, openssl rand -hex 32)"
)
# The bot's automatic_leave settings: (default, smallest allowed). Recall's Create Bot takes
# whole seconds only, at least 30 for the waiting room and for nobody joining and at least 1
# for everyone left and for the recording limit, and refuses the bot otherwise. A value that
# would have to be rounded, or is too small, would make every /record fail; it stops start-up
# instead. MAX_RECORDING_MINUTES is sent in seconds (in_call_recording_timeout).
AUTOMATIC_LEAVE = {
    "WAITING_ROOM_TIMEOUT_SECONDS": (600, 30),
    "NOONE_JOINED_TIMEOUT_SECONDS": (900, 30),
    "EVERYONE_LEFT_TIMEOUT_SECONDS": (60, 1),
    "MAX_RECORDING_MINUTES": (240, 1),
}


class ConfigError(Exception):
    """The environment does not describe a runnable app; `problems` lists each thing to fix."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))

    def __str__(self) -> str:
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return (
            "slack-record cannot start because its configuration is incomplete:\n"
            f"{lines}\n"
            "Set these in the environment or in a .env file (see README.md, 'Configuration')."
        )


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None
    slack_signing_secret: str | None
    recall_api_key: str
    recall_region: str = "us-east-1"
    recall_api_base_url: str = "https://us-east-1.recall.ai"
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_path: Path = Path(DEFAULT_DATABASE_PATH)
    poll_interval_seconds: float = 15.0
    port: int = 3000
    public_base_url: str | None = None
    # How long we follow one bot before giving up: one that never finishes is not followed
    # forever.
    recording_deadline_hours: float = 6.0
    bot_name: str = "slack-record (recording)"
    log_level: str = "INFO"
    # Workspace defaults for every bot (sent as Recall's automatic_leave), so a forgotten
    # recorder cannot run up the bill for hours.
    default_layout: str = "speaker_view"
    waiting_room_timeout_seconds: int = 600
    noone_joined_timeout_seconds: int = 900
    everyone_left_timeout_seconds: int = 60
    max_recording_minutes: int = 240
    # The manifest's features.unfurl_domains: Slack only embeds players from these hosts.
    unfurl_domains: tuple[str, ...] = ()
    # Recall webhooks (POST /recall/webhook): the signing secret, and how often polling then
    # still looks at each open recording, as a safety net for lost deliveries.
    recall_webhook_secret: str | None = None
    webhook_sweep_seconds: float = 300.0
    # The share of Recall's per-workspace rate limits this app may use (the rest is headroom
    # for anything else using the same Recall workspace).
    recall_rate_share: float = 0.8
    # Socket Mode (no public URL needed): the app-level token.
    slack_app_token: str | None = None
    # Multi-workspace installs (Slack's OAuth flow at /slack/install).
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_state_secret: str | None = None
    # Consent notice, stop phrase, retention, Zoom (bot/app/meeting_settings.py).
    meeting: MeetingSettings = field(default_factory=MeetingSettings)
    # GET /metrics wants this as a bearer token when it is set.
    metrics_token: str | None = None
    # `text` (one line per event) or `json` (one JSON object per line, for hosts that index).
    log_format: str = "text"
    # How meetings are transcribed (bot/recall/transcripts.py); README says why captions are
    # the default.
    transcript_provider: str = "meeting_captions"

    @property
    def slack_mode(self) -> str:
        """`http` (one workspace), `socket` (one workspace, Socket Mode) or `oauth` (many)."""
        if self.slack_client_id:
            return "oauth"
        return "socket" if self.slack_app_token else "http"

    @property
    def metrics_token_weak(self) -> bool:
        """A METRICS_TOKEN short enough to guess: it works (whoever sets one gets what they
        set), and `check` and the start-up log say so."""
        return self.metrics_token is not None and len(self.metrics_token) < METRICS_TOKEN_ADVISED

    @property
    def video_embed(self) -> bool:
        """Use Slack's video block: our public address is https and Slack may embed from it."""
        if not self.public_base_url:
            return False
        parts = urlsplit(self.public_base_url)
        return parts.scheme == "https" and (parts.hostname or "") in self.unfurl_domains

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read and validate every setting; raise one ConfigError naming all problems."""
        problems: list[str] = []

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        mode = "oauth" if get("SLACK_CLIENT_ID") or get("SLACK_CLIENT_SECRET") else "http"
        if get("SLACK_APP_TOKEN"):
            if mode == "oauth":
                problems.append(
                    "set either SLACK_APP_TOKEN (Socket Mode, one workspace) or "
                    "SLACK_CLIENT_ID/SLACK_CLIENT_SECRET (installs in many workspaces), not both"
                )
            mode = "socket"
            if not (get("SLACK_APP_TOKEN") or "").startswith("xapp-"):
                problems.append("SLACK_APP_TOKEN must be an app-level token (xapp-…)")
        missing = [name for name in REQUIRED[mode] if not get(name)]
        if missing:
            problems.append("missing " + ", ".join(missing))

        region = (get("RECALL_REGION") or "us-east-1").lower()
        if region not in RECALL_REGIONS:
            problems.append(
                f"RECALL_REGION must be one of {', '.join(RECALL_REGIONS)} (got {region!r})"
            )
        recall_base = get("RECALL_API_BASE_URL") or f"https://{region}.recall.ai"
        if not _is_http_url(recall_base):
            problems.append("RECALL_API_BASE_URL must be an http(s) URL")

        slack_api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        if not _is_http_url(slack_api_url):
            problems.append("SLACK_API_URL must be an http(s) URL")

        public_base_url = get("PUBLIC_BASE_URL")
        if public_base_url and not _is_http_url(public_base_url):
            problems.append(
                "PUBLIC_BASE_URL must be an http(s) URL like https://record.example.com"
            )

        poll = _number(get("POLL_INTERVAL_SECONDS"), 15.0, "POLL_INTERVAL_SECONDS", problems)
        sweep = _number(get("WEBHOOK_SWEEP_SECONDS"), 300.0, "WEBHOOK_SWEEP_SECONDS", problems)
        share = _number(get("RECALL_RATE_SHARE"), 0.8, "RECALL_RATE_SHARE", problems)
        if share > 1:
            problems.append(
                f"RECALL_RATE_SHARE is a share of Recall's limits, at most 1 (got {share})"
            )
        webhook_secret = get("RECALL_WEBHOOK_SECRET")
        if webhook_secret and not _is_webhook_secret(webhook_secret):
            problems.append(
                "RECALL_WEBHOOK_SECRET must be the whsec_… secret from Recall's dashboard"
            )
        deadline = _number(
            get("RECORDING_DEADLINE_HOURS"), 6.0, "RECORDING_DEADLINE_HOURS", problems
        )
        port = _number(get("PORT"), 3000, "PORT", problems)
        layout = (get("DEFAULT_LAYOUT") or "speaker").lower()
        if layout not in LAYOUTS:
            problems.append(f"DEFAULT_LAYOUT must be speaker or gallery (got {layout!r})")
        timeouts = {
            name: _whole(get(name), default, minimum, name, problems)
            for name, (default, minimum) in AUTOMATIC_LEAVE.items()
        }
        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            problems.append(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR (got {log_level!r})")
        if port and (port != int(port) or not 0 < port < 65536):
            problems.append("PORT must be a whole number between 1 and 65535")
        meeting = read_meeting_settings(get, public_base_url, problems)

        metrics_token = get("METRICS_TOKEN")
        if metrics_token and any(c.isspace() for c in metrics_token):
            problems.append("METRICS_TOKEN must be one word, without spaces")
        log_format = (get("LOG_FORMAT") or "text").lower()
        if log_format not in ("text", "json"):
            problems.append(f"LOG_FORMAT must be text or json (got {log_format!r})")
        transcripts = (get("TRANSCRIPT_PROVIDER") or cls.transcript_provider).lower()
        if transcripts not in TRANSCRIPT_PROVIDERS:
            problems.append(
                f"TRANSCRIPT_PROVIDER must be one of {', '.join(TRANSCRIPT_PROVIDERS)} "
                f"(got {transcripts!r})"
            )

        if problems:
            raise ConfigError(problems)
        return cls(
            slack_bot_token=get("SLACK_BOT_TOKEN") if mode != "oauth" else None,
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            recall_api_key=get("RECALL_API_KEY") or "",
            slack_app_token=get("SLACK_APP_TOKEN") if mode == "socket" else None,
            slack_client_id=get("SLACK_CLIENT_ID") if mode == "oauth" else None,
            slack_client_secret=get("SLACK_CLIENT_SECRET") if mode == "oauth" else None,
            slack_state_secret=get("SLACK_STATE_SECRET") if mode == "oauth" else None,
            recall_region=region,
            recall_api_base_url=_recall_root(recall_base),
            slack_api_url=slack_api_url.rstrip("/") + "/",
            database_path=Path(get("DATABASE_PATH") or DEFAULT_DATABASE_PATH),
            poll_interval_seconds=poll,
            port=int(port),
            public_base_url=public_base_url.rstrip("/") if public_base_url else None,
            recording_deadline_hours=deadline,
            bot_name=(get("BOT_NAME") or cls.bot_name)[:100],
            log_level=log_level,
            default_layout=LAYOUTS.get(layout, "speaker_view"),
            waiting_room_timeout_seconds=timeouts["WAITING_ROOM_TIMEOUT_SECONDS"],
            noone_joined_timeout_seconds=timeouts["NOONE_JOINED_TIMEOUT_SECONDS"],
            everyone_left_timeout_seconds=timeouts["EVERYONE_LEFT_TIMEOUT_SECONDS"],
            max_recording_minutes=timeouts["MAX_RECORDING_MINUTES"],
            recall_webhook_secret=webhook_secret,
            recall_rate_share=share,
            webhook_sweep_seconds=sweep,
            unfurl_domains=tuple(
                d.strip().lower()
                for d in (get("SLACK_UNFURL_DOMAINS") or "").split(",")
                if d.strip()
            ),
            meeting=meeting,
            metrics_token=metrics_token,
            log_format=log_format,
            transcript_provider=transcripts,
        )

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a log line."""
        values = (
            self.slack_bot_token,
            self.slack_signing_secret,
            self.recall_api_key,
            self.recall_webhook_secret,
            self.slack_app_token,
            self.slack_client_secret,
            self.slack_state_secret,
            self.meeting.zoom_client_secret,
            self.metrics_token,
        )
        return tuple(s for s in values if s)


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# Standard base64, padded or not. The verifying library decodes leniently (it drops any other
# character), so a secret pasted with stray characters would silently become another key.
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def _is_webhook_secret(value: str) -> bool:
    """`whsec_` and base64, as the library that verifies deliveries (standardwebhooks) reads it."""
    if not value.startswith("whsec_") or len(value) < 16:
        return False
    if not _BASE64.fullmatch(value.removeprefix("whsec_")):
        return False
    try:
        Webhook(value)  # whatever the library cannot use, start-up refuses too
    except (ValueError, EmptyWebhookSecretError):
        return False
    return True


def _recall_root(url: str) -> str:
    """Accept both `https://host` and `https://host/api/v1/` for RECALL_API_BASE_URL."""
    root = url.rstrip("/")
    for suffix in ("/api/v1", "/api"):
        if root.endswith(suffix):
            root = root[: -len(suffix)]
    return root


def _whole(raw: str | None, default: int, minimum: int, name: str, problems: list[str]) -> int:
    """A whole number of at least `minimum`; anything else is a problem (never rounded)."""
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not value.is_integer() or value < minimum:
        problems.append(f"{name} must be a whole number, at least {minimum} (got {raw!r})")
        return default
    return int(value)


def _number(raw: str | None, default: float, name: str, problems: list[str]) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{name} must be a number (got {raw!r})")
        return default
    if not math.isfinite(value) or value <= 0:
        problems.append(f"{name} must be greater than zero (got {raw!r})")
        return default
    return value
