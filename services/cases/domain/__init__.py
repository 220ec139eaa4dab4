"""The case state machine, no I/O: its vocabulary, the transition table, who may act, what an
action records (`decide`), and what happened (`history.apply`, `rebuild`)."""
