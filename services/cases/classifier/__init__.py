"""Which problem of the campaign list a report is about (weighted keyword rules)."""
