"""What happens after /record: intake, the steps of a recording (create, follow, stop, bring
Slack up to date), the poll pass and its survey, controls from Slack, durable links, webhooks."""
