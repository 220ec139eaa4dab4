"""The audit trail: the keyed hash chain, what cases records in it, and its anchors."""
