"""Talking to Recall.ai: the HTTP client and its errors, the rate budget every call draws on,
the Create Bot body we send, the bot reports we read, and webhook verification."""
