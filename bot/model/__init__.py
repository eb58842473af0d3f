"""The recording and its rules: plain data and pure functions (the state machine, the command
grammar, meeting links, join times, plain-word explanations, time); no I/O."""
