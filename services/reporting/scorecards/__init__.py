"""Unit scorecards (三率 and more, issue 26): marks folded from case events, and the figures."""
