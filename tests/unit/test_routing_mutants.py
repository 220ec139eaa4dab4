"""Routing at its edges: what `make mutants` found the other routing tests let through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.cases.routing.route import Routing, route
from services.cases.routing.rules import (
    Assignment,
    RoutingRules,
    RoutingRulesError,
    check_rules,
    load_rules,
)
from shared.directory import Directory, load_directory, parse_directory

DZ = load_directory()
TO_DISCIPLINE = RoutingRules(problems={1: Assignment(transfer_to="discipline_inspection")})


def go(d: Directory, problem: int | None = 20, county: str = "371402", **kw: Any) -> Routing:
    args: dict[str, Any] = {"subject_unit_id": None, "subject_unit_text": None}
    args |= {"subject_is_head": False, "channel": "web"} | kw
    return route(d, problem, county, **args)


def unit(uid: str, kind: str, county: str, *above: tuple[str, str]) -> dict[str, Any]:
    level = "city" if county == "371400" else "county"
    sups = [{"unit": u, "by": by} for u, by in above]
    fields = {"id": uid, "name": f"单位{uid}号", "kind": kind, "level": level, "county": county}
    return fields | {"supervisors": sups}


def build(*units: dict[str, Any]) -> Directory:
    counties = [{"code": "371402", "name": "德城区"}]
    city = {"code": "371400", "name": "德州市"}
    return parse_directory({"city": city, "counties": counties, "units": list(units)})


CITY = [unit("top", "leading_group", "371400"), unit("coff", "office", "371400", ("top", "sector"))]
COUNTY = [
    unit("gov", "leading_group", "371402", ("top", "locality")),
    unit("off", "office", "371402", ("gov", "locality")),
]


def test_a_blocked_organ_hands_the_transfer_to_the_first_independent_unit_above() -> None:
    # The county's discipline organ answers only to the accused department, which answers to
    # the county government: the transfer climbs past the department to the government.
    d = build(
        *CITY,
        *COUNTY,
        unit("dept", "department", "371402", ("gov", "sector")),
        unit("jw", "discipline", "371402", ("dept", "locality")),
    )
    r = go(d, problem=1, subject_unit_id="dept", rules=TO_DISCIPLINE)
    assert (r.handling_unit, r.transfer_unit) == ("off", "gov")


def test_a_county_without_a_discipline_organ_transfers_to_the_citys() -> None:
    d = build(*CITY, *COUNTY, unit("cjw", "discipline", "371400", ("top", "sector")))
    r = go(d, problem=1, rules=TO_DISCIPLINE)
    assert (r.handling_unit, r.transfer_to) == ("off", "discipline_inspection")
    assert r.transfer_unit == "cjw"


def test_an_accused_unit_of_another_county_is_noted_as_its_countys_case() -> None:
    away = go(DZ, county="371402", subject_unit_id="371422-chaihudian")
    assert away.handling_unit == "371422-fpb"
    assert "the accused unit belongs to 371422: that county's office is the default" in away.reasons
    home = go(DZ, county="371422", subject_unit_id="371422-chaihudian")
    assert not any("that county's office is the default" in reason for reason in home.reasons)


def test_an_overlay_is_noted_with_its_measure_only_when_it_has_one() -> None:
    rules = RoutingRules(
        problems={20: Assignment(co=("city-zzb",))},
        channels={"hotline": Assignment(co=("city-zzb",), measure="m-7")},
    )
    r = go(DZ, channel="hotline", rules=rules)
    assert "rules for problem 20 apply" in r.reasons
    assert "rules for channel hotline apply (measure m-7)" in r.reasons


def test_a_rule_naming_an_unknown_unit_names_where() -> None:
    with pytest.raises(RoutingRulesError) as bad:
        check_rules(RoutingRules(default=Assignment(lead="nope")), DZ)
    assert str(bad.value) == "default: unknown unit 'nope'"


def test_a_bad_rules_file_names_the_file_and_each_problem(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: 2\nprefer_line: nowhere\n", encoding="utf-8")
    with pytest.raises(RoutingRulesError) as bad:
        load_rules(path)
    message = str(bad.value)
    assert message.startswith(f"{path}: version: ")
    assert "; prefer_line: " in message


def test_with_nothing_independent_to_handle_it_the_transfer_goes_to_the_reports_county() -> None:
    # The accused county government answers to no one: no unit can handle the case, but the
    # county's discipline organ (which answers to the city) can still receive the transfer.
    d = build(
        *CITY,
        unit("gov", "leading_group", "371402"),
        unit("off", "office", "371402", ("gov", "locality")),
        unit("jw", "discipline", "371402", ("top", "sector")),
        unit("cjw", "discipline", "371400", ("top", "sector")),
    )
    r = go(d, problem=1, subject_unit_id="gov", rules=TO_DISCIPLINE)
    assert (r.handling_unit, r.transfer_unit) == (None, "jw")


def test_an_accused_city_office_hands_triage_to_the_unit_above_it() -> None:
    r = go(build(*CITY, *COUNTY), subject_unit_id="coff", rules=RoutingRules())
    assert r.triage_unit == "top"


def test_with_the_city_office_and_all_above_it_accused_the_fallback_triages() -> None:
    d = build(*CITY, *COUNTY, unit("cjw", "discipline", "371400"))
    r = go(d, subject_unit_id="top", rules=RoutingRules(fallback=("cjw",)))
    assert r.triage_unit == "cjw"


def test_an_unresolved_unit_in_the_text_says_why_the_city_office_triages() -> None:
    r = go(DZ, report_text=("大柳镇政府截留扶贫资金",))
    assert (
        "the report names a unit the directory does not resolve: the city office triages"
        in r.reasons
    )
