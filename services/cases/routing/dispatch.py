"""Cases about a resident work team (驻村工作队, its first secretary) go to the unit that
dispatched it, with the organisation department (the problem's own lead) co-operating: the plan's
measure (二) makes the dispatching units answer for their teams. Never to the team accused."""

from services.cases.routing.accused import Case
from services.cases.routing.reasons import TEAM_SENDER_ACCUSED, TEAM_SENDER_LEADS


def dispatched(
    case: Case, problem: int | None, lead: str | None, co: list[str]
) -> tuple[str | None, list[str]]:
    """The lead and co-units once the dispatching unit of an accused team is taken into account."""
    if problem not in case.rules.dispatched_problems:
        return lead, co
    teams = [u for u in case.all_accused if case.d.unit(u).dispatched_by]
    if not teams:
        return lead, co
    sender = case.d.unit(teams[0]).dispatched_by
    if case.first_eligible([sender or ""]) is None:
        case.note(TEAM_SENDER_ACCUSED, team=teams[0], sender=sender)
        return lead, co
    case.note(TEAM_SENDER_LEADS, team=teams[0], sender=sender)
    rest = [u for u in ([lead] if lead else []) + co if u != sender]
    return sender, list(dict.fromkeys(rest))
