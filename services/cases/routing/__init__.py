"""Where a case goes: the rules (`rules.yaml`), the units a report names, the decision."""
