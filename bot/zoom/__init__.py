"""Talking to Zoom: the OAuth authorization-code flow that connects a Slack user's Zoom account
(and refreshes its tokens), and the API call that mints the on-behalf-of (OBF) tokens Zoom
requires of recorders that join meetings hosted outside this app's own Zoom account."""
