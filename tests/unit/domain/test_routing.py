"""Routing: examples on the Dezhou directory; the conflict-of-interest contract on random ones."""

from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.cases.routing.route import Routing, route
from services.cases.routing.rules import RoutingRules, RoutingRulesError, check_rules, load_rules
from shared.directory import Directory, load_directory, parse_directory


@pytest.fixture(scope="module")
def dz() -> Directory:
    return load_directory()


def go(d: Directory, problem: int | None = 20, county: str = "371402", **kw: Any) -> Routing:
    args: dict[str, Any] = {"subject_unit_id": None, "subject_unit_text": None}
    args |= {"subject_is_head": False, "channel": "web"} | kw
    return route(d, problem, county, **args)


def units_of(r: Routing) -> tuple[Any, ...]:
    return (r.handling_unit, r.lead_unit, r.co_units, r.transfer_to, r.transfer_unit)


def unit(uid: str, kind: str, county: str, *above: tuple[str, str]) -> dict[str, Any]:
    """A directory entry named after its id; the level follows the county."""
    level = "city" if county == "371400" else "county"
    sups = [{"unit": u, "by": by} for u, by in above]
    return dict(
        id=uid, name=f"单位{uid}号", kind=kind, level=level, county=county, supervisors=sups
    )


def build(units: list[dict[str, Any]]) -> Directory:
    counties = [{"code": "371402", "name": "德城区"}]
    return parse_directory(
        {"city": {"code": "371400", "name": "德州市"}, "counties": counties, "units": units}
    )


def test_a_county_problem_goes_to_the_county_office(dz: Directory) -> None:
    r = go(dz)
    assert units_of(r) == ("371402-fpb", "city-fpb", [], None, None)
    assert r.accused_unit is None
    assert "handled by the poverty-relief office 371402-fpb" in r.reasons
    with pytest.raises(pydantic.ValidationError):  # a routing is read-only
        r.handling_unit = "371402-jw"  # type: ignore[misc]


@pytest.mark.parametrize("county", ["371400", "999999"])
def test_a_city_or_unknown_county_goes_to_the_city_office(dz: Directory, county: str) -> None:
    assert go(dz, county=county).handling_unit == "city-fpb"


def test_an_accused_county_office_goes_to_its_supervisor(dz: Directory) -> None:
    r = go(dz, subject_unit_id="371402-fpb")
    # Sector first: the county leading group works through the accused office itself.
    assert (r.handling_unit, r.accused_unit) == ("city-fpb", "371402-fpb")
    assert "371402-fpb is accused: its cases go to its supervisor city-fpb" in r.reasons


def test_an_accused_head_goes_a_level_higher(dz: Directory) -> None:
    r = go(dz, subject_unit_id="371402-fpb", subject_is_head=True)
    assert units_of(r) == ("city-lg", "city-fpb", [], "discipline_inspection", "city-jw")
    assert "accusation against a unit's head: moved up from city-fpb to city-lg" in r.reasons


def test_a_head_of_an_unnamed_unit_goes_above_the_office(dz: Directory) -> None:
    r = go(dz, subject_is_head=True)
    assert units_of(r) == ("city-fpb", "city-fpb", [], "discipline_inspection", "city-jw")


def test_an_accused_township_is_handled_by_its_county_office(dz: Directory) -> None:
    assert go(dz, county="371422", subject_unit_id="371422-duji").handling_unit == "371422-fpb"


def test_the_accused_units_county_handles_it(dz: Directory) -> None:
    r = go(dz, county="371402", subject_unit_id="371425-jiaomiao")
    assert r.handling_unit == "371425-fpb"
    assert go(dz, county="371402", subject_unit_id="city-czj").handling_unit == "city-fpb"


def test_free_text_names_the_accused_unit(dz: Directory) -> None:
    text = "齐河县扶贫开发领导小组办公室的张三"
    r = go(dz, county="371425", subject_unit_text=text)
    assert (r.accused_unit, r.handling_unit) == ("371425-fpb", "city-fpb")
    assert "accused unit 371425-fpb recognised in the report's text" in r.reasons
    assert not any("张三" in reason or "齐河" in reason for reason in r.reasons)


def test_free_text_that_names_no_unit(dz: Directory) -> None:
    r = go(dz, subject_unit_text="村会计")
    assert (r.accused_unit, r.handling_unit) == (None, "371402-fpb")
    assert "the accused unit named in the report matched no directory unit" in r.reasons


def test_an_unknown_unit_id_falls_back_to_the_text(dz: Directory) -> None:
    r = go(dz, subject_unit_id="ghost", subject_unit_text="德城区扶贫办")
    assert r.accused_unit == "371402-fpb"
    assert "the given accused unit id is not in the directory: ignored" in r.reasons
    assert go(dz, subject_unit_id="ghost").accused_unit is None


@pytest.mark.parametrize("problem, co", [(23, ["city-czj", "city-sjj"]), (26, ["city-czj"])])
def test_funds_problems_are_flagged_for_discipline_inspection(
    dz: Directory, problem: int, co: list[str]
) -> None:
    r = go(dz, problem=problem, county="371422")
    assert units_of(r) == ("371422-fpb", "city-fpb", co, "discipline_inspection", "371422-jw")
    assert "flagged for transfer to discipline_inspection by the rules" in r.reasons


@pytest.mark.parametrize("problem", [17, 18])
def test_work_team_problems_are_led_by_the_organisation_department(
    dz: Directory, problem: int
) -> None:
    r = go(dz, problem=problem, county="371426", channel="hotline")
    assert units_of(r) == ("371426-fpb", "city-zzb", ["city-fpb"], None, None)
    assert f"rules for problem {problem} apply (measure 二)" in r.reasons


def test_an_unclassified_report_is_triaged_by_the_city_office(dz: Directory) -> None:
    r = go(dz, problem=None)
    assert (r.handling_unit, r.lead_unit) == ("371402-fpb", "city-fpb")
    assert "problem not classified yet: the city office triages it" in r.reasons


def test_an_accused_city_office_goes_to_the_discipline_commission(dz: Directory) -> None:
    r = go(dz, problem=23, county="371400", subject_unit_id="city-fpb")
    # The commission handles it itself, so there is nothing to transfer.
    assert units_of(r) == ("city-jw", "city-jw", ["city-czj", "city-sjj"], None, None)
    assert "city-jw is itself that organ: no transfer needed" in r.reasons


def test_an_accused_leading_group_falls_back_to_the_discipline_commission(dz: Directory) -> None:
    r = go(dz, problem=1, subject_unit_id="city-lg", subject_is_head=True)
    assert units_of(r) == ("city-jw", "city-jw", [], None, None)
    assert "accusation against a unit's head: nothing independent above city-jw; kept" in r.reasons


def test_an_accused_lead_unit_is_replaced(dz: Directory) -> None:
    r = go(dz, problem=17, county="371400", subject_unit_id="city-zzb")
    assert units_of(r) == ("city-fpb", "city-lg", ["city-fpb"], None, None)
    assert "lead city-zzb is the accused unit or under it" in r.reasons


def test_an_accused_co_unit_is_dropped(dz: Directory) -> None:
    r = go(dz, problem=23, subject_unit_id="city-czj")
    assert r.co_units == ["city-sjj"]


def test_an_accused_discipline_organ_does_not_receive_the_transfer(dz: Directory) -> None:
    assert go(dz, problem=23, subject_unit_id="371402-jw").transfer_unit == "city-jw"
    r = go(dz, problem=23, subject_unit_id="city-jw")
    co = ["city-czj", "city-sjj"]
    assert units_of(r) == ("city-fpb", "city-fpb", co, "discipline_inspection", None)
    assert "transfer would go to a unit above the city" in r.reasons


def test_custom_rules_overlay_problem_then_channel(dz: Directory) -> None:
    rules = RoutingRules.model_validate(
        {
            "default": {"lead": "ghost", "co": ["city-fl", "city-fl", "ghost"]},
            "problems": {5: {"transfer_to": "procuratorate"}},
            "channels": {"media": {"co": ["city-csh", "city-fl", "city-csh"], "lead": "city-fl"}},
            "prefer_line": "sector",
            "head_transfer_to": None,
        }
    )
    plain = go(dz, problem=5, subject_unit_id="371402-fpb", rules=rules)
    assert units_of(plain) == ("city-fpb", None, ["city-fl"], "procuratorate", "city-jcy")
    assert "lead ghost is not in the directory: no lead unit" in plain.reasons
    media = go(dz, problem=1, channel="media", subject_is_head=True, rules=rules)
    # Sector first: the head's case goes to the city office, not the county's group.
    assert units_of(media) == ("city-fpb", "city-fl", ["city-csh"], None, None)


def test_without_organs_or_independent_units() -> None:
    small = build(
        [unit("top", "office", "371400"), unit("low", "department", "371400", ("top", "sector"))]
    )
    bare = RoutingRules()
    for target in ("discipline_inspection", "procuratorate"):
        rules = RoutingRules(problems={1: {"transfer_to": target}})
        r = go(small, problem=1, county="371400", rules=rules)
        assert (r.transfer_to, r.transfer_unit) == (target, None)
        assert f"no {target} unit in the directory" in r.reasons
    r = go(small, county="371400", subject_unit_id="top", subject_is_head=True, rules=bare)
    assert units_of(r) == (None, None, [], None, None)
    assert "no unit in the directory is independent of top: route above the city" in r.reasons
    flagged = RoutingRules(problems={1: {"transfer_to": "discipline_inspection"}})
    r = go(small, problem=1, county="371400", subject_unit_id="top", rules=flagged)
    assert units_of(r) == (None, None, [], "discipline_inspection", None)


def test_rules_files(tmp_path: Path, dz: Directory) -> None:
    assert load_rules() is load_rules()
    check_rules(load_rules(), dz)
    path = tmp_path / "rules.yaml"
    path.write_text("version: 1\nfallback: [city-jw]\n", encoding="utf-8")
    assert load_rules(path).fallback == ("city-jw",)
    for text, message in [
        ("problems: [unclosed", "not valid YAML"),
        ("problems: {23: {transfer_to: police}}", "problems.23.transfer_to"),
        ("prefer_line: party", "prefer_line"),
        ("surprise: 1", "surprise: Extra inputs"),
    ]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(RoutingRulesError, match=message):
            load_rules(path)


@pytest.mark.parametrize(
    "rules, message",
    [
        ({"problems": {17: {"co": ["ghost"]}}}, "problem 17: unknown unit 'ghost'"),
        ({"channels": {"web": {"lead": "ghost"}}}, "channel web: unknown unit 'ghost'"),
        ({"when_accused": {"ghost": ["city-jw"]}}, "when_accused ghost: unknown unit 'ghost'"),
        ({"fallback": ["city-jw", "ghost"]}, "fallback: unknown unit 'ghost'"),
    ],
)
def test_rules_naming_unknown_units_are_refused(
    dz: Directory, rules: dict[str, Any], message: str
) -> None:
    with pytest.raises(RoutingRulesError, match=message):
        check_rules(RoutingRules.model_validate(rules), dz)


LINES = ["locality", "sector"]
IDS = ["city-fpb", "city-jw", "city-lg", "city-zzb", "city-czj", "371402-fpb", "371402-jw", "u7"]
# Roles a random directory may hold once each (the city office always).
ROLES = [(k, c) for c in ("371400", "371402") for k in ("office", "discipline")]
ROLES += [("procuratorate", "371400")]


@st.composite
def directories(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Random supervision DAGs: a unit is supervised only by units drawn before it."""
    ids = draw(st.permutations(IDS))[: draw(st.integers(2, len(IDS)))]
    roles = [ROLES[0], *draw(st.lists(st.sampled_from(ROLES[1:]), unique=True))]
    roles += [("department", draw(st.sampled_from(["371400", "371402"]))) for _ in ids]
    roles = draw(st.permutations(roles[: len(ids)]))  # the city office is first: always kept
    units = []
    for i, uid in enumerate(ids):
        kind, county = roles[i]
        above = draw(st.lists(st.sampled_from(ids[:i]), unique=True, max_size=3)) if i else []
        units.append(unit(uid, kind, county, *[(u, draw(st.sampled_from(LINES))) for u in above]))
    return units


def naive_blocked(units: list[dict[str, Any]], accused: str) -> set[str]:
    blocked, grew = {accused}, True
    while grew:
        below = {u["id"] for u in units if any(s["unit"] in blocked for s in u["supervisors"])}
        grew = not below <= blocked
        blocked |= below
    return blocked


unit_choice = st.sampled_from([*IDS, "ghost"])
transfers = st.sampled_from(["discipline_inspection", "procuratorate"])
plans: st.SearchStrategy[dict[str, Any]] = st.builds(
    dict, transfer_to=transfers, co=st.lists(unit_choice, max_size=3)
)
random_rules = st.builds(
    RoutingRules,
    default=st.builds(dict, lead=st.none() | unit_choice, co=st.lists(unit_choice, max_size=3)),
    problems=st.dictionaries(st.just(23), plans),
    when_accused=st.dictionaries(unit_choice, st.lists(unit_choice, max_size=2), max_size=3),
    fallback=st.lists(unit_choice, max_size=3),
    prefer_line=st.sampled_from(LINES),
    head_transfer_to=st.none() | st.just("discipline_inspection"),
)


@settings(max_examples=300, deadline=None)
@given(units=directories(), rules=st.none() | random_rules, data=st.data())
def test_a_case_never_goes_to_the_accused_nor_below_it(
    units: list[dict[str, Any]], rules: RoutingRules | None, data: st.DataObject
) -> None:
    accused = data.draw(st.sampled_from(units), label="accused")
    head, by_text = data.draw(st.booleans(), label="head"), data.draw(st.booleans(), label="text")
    problem = data.draw(st.sampled_from([None, 17, 23]), label="problem")
    county = data.draw(st.sampled_from(["371400", "371402"]), label="county")
    d = build(units)
    named = (
        {"subject_unit_text": accused["name"]} if by_text else {"subject_unit_id": accused["id"]}
    )
    r = go(d, problem, county, subject_is_head=head, rules=rules, **named)
    assert r.accused_unit == accused["id"]
    chosen = {r.handling_unit, r.lead_unit, r.transfer_unit, *r.co_units} - {None}
    assert chosen <= {u["id"] for u in units}
    assert not chosen & naive_blocked(units, accused["id"])
    if head and r.handling_unit is not None:
        plain = go(d, problem, county, rules=rules, **named).handling_unit
        assert plain is not None
        assert r.handling_unit in d.ancestors(plain) | {plain}
    assert go(d, problem, county, rules=rules).handling_unit is not None


def test_a_unit_named_only_in_the_report_text_is_accused(dz: Directory) -> None:
    text = "宁津县扶贫办在危房改造中优亲厚友，柴胡店镇的干部也参与其中。"
    r = go(dz, county="371422", report_text=(text, None))
    assert r.accused_units == ["371422-fpb", "371422-chaihudian"]
    assert r.accused_unit == "371422-fpb" and not r.unresolved_unit
    assert r.handling_unit == "city-fpb"  # not the county office the text accuses
    assert "unit 371422-chaihudian named in the report's text: treated as accused" in r.reasons
    assert not any("宁津" in reason for reason in r.reasons)


def test_units_in_the_text_add_to_the_named_one(dz: Directory) -> None:
    r = go(dz, subject_unit_id="371402-fpb", report_text=("市扶贫办对此不闻不问。",))
    assert r.accused_units == ["371402-fpb", "city-fpb"]
    # Both accused: neither the city office nor anything under it handles or leads.
    assert r.handling_unit not in {"371402-fpb", "city-fpb"} and r.lead_unit != "city-fpb"
    assert r.triage_unit == "city-jw"  # the city office is accused: its stand-in triages


def test_a_head_accused_in_the_text_goes_a_level_higher(dz: Directory) -> None:
    r = go(dz, subject_is_head=True, report_text=("德城区扶贫办主任挪用扶贫资金。",))
    assert (r.accused_unit, r.handling_unit) == ("371402-fpb", "city-lg")


@pytest.mark.parametrize(
    "text",
    [
        "大柳镇政府截留扶贫资金",
        "县水利局的人吃拿卡要",
        "王庄村委把名额给了亲戚",
        "张庄镇的干部作风漂浮",
    ],
)
def test_an_unresolved_unit_in_the_text_is_flagged_for_triage(dz: Directory, text: str) -> None:
    r = go(dz, report_text=(text,))
    assert r.unresolved_unit and r.accused_units == [] and r.triage_unit == "city-fpb"


def test_an_unresolved_unit_named_as_the_subject_is_flagged(dz: Directory) -> None:
    assert go(dz, subject_unit_text="大柳镇政府").unresolved_unit
    assert not go(dz, subject_unit_text="村会计").unresolved_unit


@pytest.mark.parametrize(
    "text",
    [
        "驻村第一书记一个月只来村里一两次，群众找不到人。",
        "乡亲们到镇上反映多次，向政府反映也没有结果。",
        "乡镇干部作风漂浮，城乡低保评定不公开，破坏了发展格局。",
        "我和邻居因为宅基地边界的事吵起来了，想请政府给评评理。",
    ],
)
def test_ordinary_text_names_no_unit(dz: Directory, text: str) -> None:
    r = go(dz, report_text=(text,))
    assert (r.accused_units, r.unresolved_unit, r.handling_unit) == ([], False, "371402-fpb")


def test_the_longest_name_wins_in_the_text(dz: Directory) -> None:
    # "乐陵市扶贫办" holds "市扶贫办": the county's office is meant, not the city's.
    r = go(dz, county="371481", report_text=("乐陵市扶贫办主任吃拿卡要。",))
    assert r.accused_units == ["371481-fpb"]


@settings(max_examples=150, deadline=None)
@given(units=directories(), rules=st.none() | random_rules, data=st.data())
def test_no_unit_named_in_the_text_nor_below_one_handles_or_triages(
    units: list[dict[str, Any]], rules: RoutingRules | None, data: st.DataObject
) -> None:
    named = data.draw(st.lists(st.sampled_from(units), min_size=1, max_size=3), label="named")
    given_id = data.draw(st.none() | st.sampled_from(units), label="given")
    d = build(units)
    text = "，".join(f"{u['name']}的干部不作为" for u in named)
    kw = {"subject_unit_id": given_id["id"] if given_id else None}
    r = go(
        d,
        data.draw(st.sampled_from([None, 17, 23])),
        "371402",
        rules=rules,
        report_text=(text,),
        **kw,
    )
    accused = {u["id"] for u in named} | ({given_id["id"]} if given_id else set())
    assert set(r.accused_units) == accused
    out = set().union(*(naive_blocked(units, a) for a in accused))
    chosen = {r.handling_unit, r.lead_unit, r.transfer_unit, r.triage_unit, *r.co_units} - {None}
    assert not chosen & out


@pytest.mark.parametrize(
    "text",
    ["扶贫资金被挪用修村委会办公楼，贫困户一分钱没有见到。", "已电话联系村委，村里说下周处理。"],
)
def test_a_generic_village_committee_names_no_unit(dz: Directory, text: str) -> None:
    assert not go(dz, report_text=(text,)).unresolved_unit
