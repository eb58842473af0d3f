"""Talking to Slack: a client per workspace, its errors, posting exactly once, the user and
channel directory, the words and message builders, OAuth install settings, request keys."""
