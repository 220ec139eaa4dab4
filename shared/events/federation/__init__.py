"""Events published by the federation service (`federation.*`): the Women's Federation's
programmes (issue 23). `aid` holds the 两癌 aid workflow and drives; `programmes` the
after-school centres, pairings, homes, activities and selections.

Nothing here names a woman, a child, a diagnosis or a bank account: applications travel as
ids, county, village and status; pairings as a child's category and a pseudonymous reference."""

from shared.events.federation import aid, programmes

__all__ = ["aid", "programmes"]
