"""slack-record: type /record <meeting link> in Slack; a Recall.ai bot records the meeting and
the video is posted to the channel.

Packages by role, each depending only on those above it in this list:
model (pure) · recall, slack, store (the outside world) · workflow · web · app (wiring, CLI).
Bolt's listeners live beside this package, in handlers/.
"""
