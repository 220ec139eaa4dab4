"""Which reporter notices go in writing to a reporter who left only a postal address: the
acceptance (or refusal to accept), an approved extension and the results (the finding, the
closure with the right to a review, the review's result). The other reporter notices (a repeat
merged, a result upheld) are told on the tracking page only."""

from __future__ import annotations

LETTER_EVENTS = frozenset(
    {
        "case.accepted",
        "case.rejected",
        "case.extension_decided",
        "case.concluded",
        "case.closed",
        "case.re_reviewed",
    }
)
