"""Events API: the app was uninstalled, or its tokens were revoked. Stop posting to that
workspace (its recordings are kept), and forget the installation when there is one."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt import App, BoltContext

from handlers.services import Services, services

# Posting stays paused; every hour one attempt shows whether the app is back.
PAUSE = timedelta(hours=1)


def register(app: App) -> None:
    app.event("app_uninstalled")(app_uninstalled)
    app.event("tokens_revoked")(tokens_revoked)


def app_uninstalled(context: BoltContext, logger: logging.Logger) -> None:
    app = services(context)
    _forget(app, context, bot_only=False)
    _pause(app, context, "app_uninstalled", logger)


def tokens_revoked(event: dict[str, Any], context: BoltContext, logger: logging.Logger) -> None:
    if event.get("tokens", {}).get("bot"):
        app = services(context)
        _forget(app, context, bot_only=True)
        _pause(app, context, "tokens_revoked", logger)


def _forget(app: Services, context: BoltContext, *, bot_only: bool) -> None:
    if app.installations is None:
        return  # one workspace: the token lives in the environment, not in a store
    if bot_only:
        app.installations.delete_bot(enterprise_id=context.enterprise_id, team_id=context.team_id)
    else:
        app.installations.delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)


def _pause(app: Services, context: BoltContext, reason: str, logger: logging.Logger) -> None:
    # An org-wide uninstall on Enterprise Grid names only the org: pausing its id pauses every
    # workspace of it (recordings keep their enterprise_id; see Workspaces.slack_block).
    team_id = context.team_id or context.enterprise_id or ""
    now = app.clock()
    app.workspaces.block_slack(team_id, reason, now + PAUSE, now)
    logger.warning("workspace %s: %s; posting there stops, recordings are kept", team_id, reason)
