"""app.json, for Heroku's deploy flow: single workspace over HTTP, one dyno, every variable a
real setting, and not one secret value in the file."""

from __future__ import annotations

import json
import re

from bot.app.config import REQUIRED, Settings
from tests.paths import ROOT

APP = json.loads((ROOT / "app.json").read_text())
ENV = APP["env"]
SECRETS = {
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "RECALL_API_KEY",
    "RECALL_WEBHOOK_SECRET",
    "ZOOM_CLIENT_SECRET",
}


def test_it_asks_for_what_one_workspace_over_http_needs() -> None:
    required = {name for name, spec in ENV.items() if spec.get("required")}
    assert set(REQUIRED["http"]) <= required
    assert not {"SLACK_APP_TOKEN", "SLACK_CLIENT_ID"} & set(ENV)  # not Socket Mode, not OAuth
    assert "PUBLIC_BASE_URL" in required


def test_no_secret_value_is_in_the_file() -> None:
    for name in SECRETS | {"METRICS_TOKEN"}:
        assert "value" not in ENV.get(name, {}), name
    assert ENV["METRICS_TOKEN"]["generator"] == "secret"  # made by Heroku at deploy time
    text = json.dumps(APP)
    assert not re.search(r"xox[a-z]-[A-Za-z0-9]|whsec_[A-Za-z0-9+/]{8}", text)


def test_every_variable_is_a_setting_and_its_value_is_valid() -> None:
    config = "".join(
        (ROOT / "bot" / "app" / name).read_text() for name in ("config.py", "meeting_settings.py")
    )
    for name in ENV:
        assert f'"{name}"' in config, name
    values = {name: spec["value"] for name, spec in ENV.items() if "value" in spec}
    filled = values | {name: "x" * 20 for name in REQUIRED["http"]}
    Settings.from_env(filled | {"PUBLIC_BASE_URL": "https://rec.herokuapp.com"})


def test_one_web_dyno_running_the_procfile() -> None:
    assert APP["formation"] == {"web": {"quantity": 1, "size": "basic"}}
    assert (ROOT / "Procfile").read_text().startswith("web: python -m bot serve")
