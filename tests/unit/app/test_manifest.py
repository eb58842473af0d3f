"""manifest.yml is valid for Slack, and declares exactly the commands and scopes the code uses."""

from __future__ import annotations

import json
import re

import yaml
from jsonschema import Draft7Validator

from tests.paths import ROOT

ROOT = ROOT
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
SOURCE = "\n".join(p.read_text() for d in ("bot", "handlers") for p in (ROOT / d).rglob("*.py"))

# Web API method (as slack_sdk spells it) → the bot scopes it needs, for every conversation
# type it is used on (public, private, the app's DM, group DMs).
HISTORY = {"channels:history", "groups:history", "im:history", "mpim:history"}
METHOD_SCOPES = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "conversations_join": {"channels:join"},
    "conversations_info": {"channels:read", "groups:read", "im:read", "mpim:read"},
    "conversations_history": HISTORY,
    "conversations_replies": HISTORY,
    "users_info": {"users:read"},
}
# Scopes no method call shows: slash commands, and posting video blocks.
IMPLIED = {"commands"} | ({"links.embed:write"} if "VideoBlock(" in SOURCE else set())


def test_manifest_matches_slacks_schema() -> None:
    schema = json.loads((ROOT / "tests" / "data" / "manifest.schema.1.0.0.json").read_text())
    errors = [f"{list(e.path)}: {e.message}" for e in Draft7Validator(schema).iter_errors(MANIFEST)]
    assert errors == []


def test_manifest_declares_every_slash_command_the_code_handles() -> None:
    handled = set(re.findall(r'app\.command\("([^"]+)"\)', SOURCE))
    declared = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert handled == declared == {"/record"}


def test_manifest_requests_exactly_the_scopes_the_code_needs() -> None:
    used = set().union(
        *(scopes for method, scopes in METHOD_SCOPES.items() if f".{method}(" in SOURCE)
    )
    declared = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert declared == used | IMPLIED


def test_manifest_subscribes_to_exactly_the_events_the_code_handles() -> None:
    handled = set(re.findall(r'app\.event\("([^"]+)"\)', SOURCE))
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == handled


def test_oauth_install_asks_for_the_manifests_scopes() -> None:
    from bot.slack.install import BOT_SCOPES

    assert sorted(BOT_SCOPES) == sorted(MANIFEST["oauth_config"]["scopes"]["bot"])


def test_request_urls_point_at_the_slack_events_path() -> None:
    urls = [c["url"] for c in MANIFEST["features"]["slash_commands"]]
    urls.append(MANIFEST["settings"]["interactivity"]["request_url"])
    urls.append(MANIFEST["settings"]["event_subscriptions"]["request_url"])
    assert urls and all(u == "https://your-host.example.com/slack/events" for u in urls)
    assert MANIFEST["features"]["unfurl_domains"] == ["your-host.example.com"]
