"""The composition root: settings, logging, wiring every part together, the scheduler, the
Bolt app, and the command line."""
