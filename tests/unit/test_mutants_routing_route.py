"""Each routing decision's reason names the very units it decided about (the case page names
them from these ids), and a work team's dispatching unit leads even where the rules give no lead."""

from __future__ import annotations

from typing import Any

import pytest

from services.cases.routing import reasons as R
from services.cases.routing.accused import Case
from services.cases.routing.route import Routing, route
from services.cases.routing.rules import Assignment, RoutingRules
from shared.directory import Directory, load_directory, parse_directory

DZ = load_directory()
TEAM = "371422-chaihudian-xiwangzhuang-wt"  # sent by city-czj


def go(d: Directory, problem: int | None = 20, **kw: Any) -> Routing:
    args: dict[str, Any] = {"subject_unit_id": None, "subject_unit_text": None}
    args |= {"subject_is_head": False, "channel": "web"} | kw
    return route(d, problem, "371402", **args)


def unit(uid: str, kind: str, county: str, *above: tuple[str, str]) -> dict[str, Any]:
    level = "city" if county == "371400" else "county"
    sups = [{"unit": u, "by": by} for u, by in above]
    fields = {"id": uid, "name": f"单位{uid}号", "kind": kind, "level": level, "county": county}
    return fields | {"supervisors": sups}


D = parse_directory(
    {
        "city": {"code": "371400", "name": "德州市"},
        "counties": [{"code": "371402", "name": "德城区"}],
        "units": [
            unit("top", "leading_group", "371400"),
            unit("coff", "office", "371400", ("top", "sector")),
            unit("gov", "leading_group", "371402", ("top", "locality")),
            unit("off", "office", "371402", ("gov", "locality")),
            unit("dept", "department", "371402", ("gov", "sector")),
            unit("jw", "discipline", "371402", ("dept", "locality")),
        ],
    }
)


def test_an_accused_unit_given_by_id_is_named_in_the_reason() -> None:
    r = go(D, subject_unit_id="dept", rules=RoutingRules())
    assert R.ACCUSED_BY_ID.format(unit="dept") in r.reasons


def test_a_blocked_office_and_a_dropped_co_unit_are_named() -> None:
    rules = RoutingRules(default=Assignment(lead="coff", co=("dept", "coff")))
    r = go(D, subject_unit_id="gov", rules=rules)
    assert r.handling_unit != "off" and r.co_units == []
    assert R.OFFICE_BLOCKED.format(unit="off") in r.reasons
    assert R.CO_DROPPED.format(unit="dept") in r.reasons


def test_the_transfer_names_the_organ_it_goes_to() -> None:
    rules = RoutingRules(problems={1: Assignment(transfer_to="discipline_inspection")})
    r = go(D, problem=1, subject_unit_id="dept", rules=rules)
    assert r.transfer_unit == "gov"
    assert R.TRANSFER_TO.format(unit="gov") in r.reasons


def test_an_accused_city_office_is_named_when_triage_moves_up() -> None:
    r = go(D, subject_unit_id="coff", rules=RoutingRules())
    assert r.triage_unit == "top"
    assert R.CITY_ACCUSED_TRIAGE.format(unit="coff") in r.reasons


def test_the_team_and_its_dispatching_unit_are_named() -> None:
    leads = go(DZ, 18, subject_unit_id=TEAM)
    assert R.TEAM_SENDER_LEADS.format(team=TEAM, sender="city-czj") in leads.reasons
    accused = go(DZ, 18, subject_unit_id=TEAM, report_text=("市财政局不管事",))
    assert "city-czj" in accused.accused_units
    assert R.TEAM_SENDER_ACCUSED.format(team=TEAM, sender="city-czj") in accused.reasons


def test_the_dispatching_unit_leads_a_problem_the_rules_give_no_lead() -> None:
    rules = RoutingRules(problems={18: Assignment(co=("city-fpb",))}, dispatched_problems=(18,))
    r = go(DZ, 18, subject_unit_id=TEAM, rules=rules)
    assert (r.lead_unit, r.co_units) == ("city-czj", ["city-fpb"])


def test_a_note_that_is_not_a_template_says_what_it_was_given() -> None:
    case = Case(DZ, RoutingRules(), None, [])
    with pytest.raises(TypeError, match="not str"):
        case.note("free text")  # type: ignore[arg-type]
    assert case.reasons == []
