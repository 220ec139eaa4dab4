"""Route a case to the unit that handles it, and never to a unit it accuses.

Rules are data (`rules.py`, `rules.yaml`). Each decision leaves a short English reason for the
case history, from a template of `reasons.py` (which also says it in zh-CN on the case page);
reasons name units by id only, never the report's text (it may name people).
"""

from itertools import chain

from services.cases.routing import mentions
from services.cases.routing import reasons as R
from services.cases.routing.accused import Case
from services.cases.routing.dispatch import dispatched
from services.cases.routing.rules import Assignment, Frozen, RoutingRules, Transfer, load_rules
from shared.directory import Directory

# The directory kind of the organ that receives each kind of transfer.
_ORGAN_KIND = {"discipline_inspection": "discipline", "procuratorate": "procuratorate"}


class Routing(Frozen):
    """Where a case goes. No unit named here is the accused unit or one it supervises."""

    handling_unit: str | None  # None only if no directory unit is independent of the accused
    lead_unit: str | None
    co_units: list[str]
    transfer_to: Transfer | None
    transfer_unit: str | None  # the organ that would receive the transfer
    accused_unit: str | None  # resolved from the id or the text; hide the case from it
    # Every accused unit: the one above and each directory unit the report's text names.
    accused_units: list[str] = []
    # The text names a unit-like body no directory entry resolves: the city office triages.
    unresolved_unit: bool = False
    # Who triages when triage is due: the city office, unless it is accused (then its stand-in).
    triage_unit: str | None = None
    reasons: list[str]


def _resolve_accused(case: Case, unit_id: str | None, text: str | None) -> str | None:
    if unit_id is not None and unit_id in case.d:
        case.note(R.ACCUSED_BY_ID, unit=unit_id)
        return unit_id
    if unit_id is not None:
        case.note(R.ACCUSED_ID_UNKNOWN)
    found = case.d.match(text) if text else None
    if found:
        case.note(R.ACCUSED_IN_TEXT, unit=found)
    elif text:
        case.note(R.ACCUSED_TEXT_UNMATCHED)
    return found


def _named_in_text(case: Case, texts: tuple[str | None, ...]) -> bool:
    """Units the report's own words name are accused too; True when it names a unit-like body
    the directory does not resolve (the city office must triage it)."""
    found = mentions.find(case.d, *texts)
    case.also_accused = tuple(u for u in found.units if u != case.accused)
    for uid in case.also_accused:
        case.note(R.NAMED_IN_TEXT, unit=uid)
    if found.unresolved:
        case.note(R.UNRESOLVED_UNIT)
    if case.accused is None and case.also_accused:
        case.accused, case.also_accused = case.also_accused[0], case.also_accused[1:]
    return found.unresolved


def _triage_unit(case: Case) -> str | None:
    city = case.d.city_office().id
    if city not in case.blocked:
        return city
    case.note(R.CITY_ACCUSED_TRIAGE, unit=city)
    rule = case.rules.when_accused.get(city, ())
    return case.first_eligible(chain(rule, case.above(city), case.rules.fallback))


def _plan(case: Case, problem: int | None, channel: str) -> Assignment:
    rules = case.rules
    if problem is None:
        case.note(R.UNCLASSIFIED)
    overlays = (
        (R.PROBLEM_RULES, R.PROBLEM_RULES_MEASURE, {"problem": problem},
         rules.problems.get(problem) if problem is not None else None),
        (R.CHANNEL_RULES, R.CHANNEL_RULES_MEASURE, {"channel": channel},
         rules.channels.get(channel)),
    )  # fmt: skip
    plan = rules.default
    for plain, with_measure, which, overlay in overlays:
        if overlay is not None:  # keys an overlay leaves out keep the value below it
            plan = plan.model_copy(update=overlay.model_dump(exclude_unset=True))
            if overlay.measure:
                case.note(with_measure, **which, measure=overlay.measure)
            else:
                case.note(plain, **which)
    return plan


def _handling(case: Case, county: str) -> str | None:
    # Responsibility follows the unit: an accused unit's own county handles it, so a county
    # office never judges a city department or another county's unit.
    home = case.d.unit(case.accused).county if case.accused is not None else county
    if home != county:
        case.note(R.HOME_COUNTY, county=home)
    office = case.d.office_of(home) or case.d.city_office()  # unknown county: the city's
    if office.id not in case.blocked:
        case.note(R.HANDLED_BY, unit=office.id)
        return office.id
    case.note(R.OFFICE_BLOCKED, unit=office.id)
    return case.stand_in


def _up_for_head(case: Case, handling: str) -> str:
    # Art 15 of the accusation rules: an organ's head is not judged by the organ he leads.
    above = case.first_eligible(case.above(handling))
    if above is None:
        case.note(R.HEAD_KEPT, unit=handling)
        return handling
    case.note(R.HEAD_MOVED_UP, unit=handling, above=above)
    return above


def _lead(case: Case, plan: Assignment) -> str | None:
    lead = plan.lead
    if lead is not None and lead in case.blocked:
        case.note(R.LEAD_BLOCKED, unit=lead)
        return case.stand_in
    if lead is not None and lead not in case.d:
        case.note(R.LEAD_UNKNOWN, unit=lead)
        return None
    return lead


def _co(case: Case, plan: Assignment, lead: str | None) -> list[str]:
    kept: list[str] = []
    for uid in plan.co:
        if case.first_eligible([uid]) is None:
            case.note(R.CO_DROPPED, unit=uid)
        elif uid != lead and uid not in kept:
            kept.append(uid)
    return kept


def _transfer(case: Case, plan: Assignment, head: bool, handling: str | None) -> Transfer | None:
    target = plan.transfer_to
    if target is not None:
        case.note(R.TRANSFER_BY_RULES, organ=target)
    elif head and case.rules.head_transfer_to is not None:
        target = case.rules.head_transfer_to
        case.note(R.HEAD_TRANSFER, organ=target)
    handler_kind = case.d.unit(handling).kind if handling is not None else None
    if target is not None and handler_kind == _ORGAN_KIND[target]:
        case.note(R.IS_THAT_ORGAN, unit=handling)
        return None
    return target


def _transfer_unit(case: Case, target: Transfer, handling: str | None, county: str) -> str | None:
    # The organ at the level where the case is handled: a case lifted to the city goes to the
    # city's discipline commission, not back down to the county's.
    home = case.d.unit(handling).county if handling is not None else county
    if target == "discipline_inspection":
        organ = case.d.discipline_of(home) or case.d.discipline_of(case.d.city_code)
    else:
        organ = case.d.procuratorate()
    if organ is None:
        case.note(R.NO_ORGAN, organ=target)
        return None
    found = case.first_eligible(chain([organ.id], case.above(organ.id)))
    if found is None:
        case.note(R.TRANSFER_ABOVE_CITY)
    else:
        case.note(R.TRANSFER_TO, unit=found)
    return found


def route(
    directory: Directory,
    problem: int | None,
    county: str,
    subject_unit_id: str | None,
    subject_unit_text: str | None,
    subject_is_head: bool,
    channel: str,
    *,
    report_text: tuple[str | None, ...] = (),
    rules: RoutingRules | None = None,
) -> Routing:
    """Decide the handling, lead and co-units of a case and whether to flag a transfer.

    The accused unit is subject_unit_id, else the unit subject_unit_text names; every directory
    unit named in `report_text` (content, title) is accused too. Contract: no unit returned is
    an accused unit or one it supervises, directly or not; an accusation against a unit's head
    goes one level above the unit that would otherwise handle it. A unit-like name in the text
    or in subject_unit_text that no directory unit resolves sets `unresolved_unit` (triage).
    Pure: rules default to the packaged ones (read once).
    """
    case = Case(directory, rules if rules is not None else load_rules(), None, [])
    # Resolved first: `blocked` is computed from them on first use.
    case.accused = _resolve_accused(case, subject_unit_id, subject_unit_text)
    unresolved = _named_in_text(case, report_text)
    if case.accused is None and subject_unit_text and mentions.looks_like_unit(subject_unit_text):
        unresolved = True
    plan = _plan(case, problem, channel)
    handling = _handling(case, county)
    if subject_is_head and handling is not None:
        handling = _up_for_head(case, handling)
    lead = _lead(case, plan)
    co_units = _co(case, plan, lead)
    lead, co_units = dispatched(case, problem, lead, co_units)
    transfer_to = _transfer(case, plan, subject_is_head, handling)
    transfer_unit = _transfer_unit(case, transfer_to, handling, county) if transfer_to else None
    return Routing(
        handling_unit=handling,
        lead_unit=lead,
        co_units=co_units,
        transfer_to=transfer_to,
        transfer_unit=transfer_unit,
        accused_unit=case.accused,
        accused_units=case.all_accused,
        unresolved_unit=unresolved,
        triage_unit=_triage_unit(case),
        reasons=case.reasons,
    )
