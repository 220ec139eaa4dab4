"""The routing reasons' one home (services/cases/routing/reasons.py): every template reads back
what it wrote, no stored reason could come from two templates, every `note(` in the routing
modules uses a template (no free strings), and the case page says a stored reason in zh-CN
with the directory's names, or as stored when no template reads it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from services.cases.pages.case_page import _namer, _routing
from services.cases.routing import reasons as R
from services.cases.routing.accused import Case
from services.cases.routing.route import route
from services.cases.routing.rules import load_rules
from shared.directory import load_directory

ROUTING = Path(R.__file__).parent
SAMPLES = {
    "unit": "371402-fpb",
    "problem": "18",
    "measure": "二",
    "channel": "hotline",
    "organ": "discipline_inspection",
    "county": "371403",
}


def _sample(reason: R.Reason) -> dict[str, str]:
    # Different values per parameter, so a template that swaps two of them is caught.
    params = {}
    for i, name in enumerate(sorted(reason.params)):
        value = SAMPLES[R.KINDS[name]]
        params[name] = f"city-u{i}" if R.KINDS[name] == "unit" and i else value
    return params


def test_there_is_a_template_for_each_reason_the_routing_gives() -> None:
    assert len(R.ALL) >= 30
    assert len({r.en for r in R.ALL}) == len(R.ALL)  # no wording twice


@pytest.mark.parametrize("reason", R.ALL, ids=lambda r: r.en[:40])
def test_every_template_round_trips(reason: R.Reason) -> None:
    params = _sample(reason)
    text = reason.format(**params)
    assert "{" not in text
    assert R.parse(text) == (reason, params)
    matching = [r for r in R.ALL if r.regex.fullmatch(text)]
    assert matching == [reason]  # never read back as another reason
    shown = reason.say(False, **params)
    assert "{" not in shown and all(v in shown for v in params.values())


def test_a_template_takes_exactly_its_parameters() -> None:
    with pytest.raises(ValueError):
        R.HANDLED_BY.format()
    with pytest.raises(ValueError):
        R.HANDLED_BY.format(unit="371402-fpb", county="371402")
    # A value no page could read back still routes; the page shows it as stored.
    odd = R.HANDLED_BY.format(unit="two words")
    assert odd == "handled by the poverty-relief office two words" and R.parse(odd) is None
    # A rules file's own measure names read back whole.
    custom = R.PROBLEM_RULES_MEASURE.format(problem=20, measure="m-7 (b)")
    assert R.parse(custom) == (R.PROBLEM_RULES_MEASURE, {"problem": "20", "measure": "m-7 (b)"})
    with pytest.raises(ValueError):  # the zh wording must name the same parameters
        R.Reason("handled by {unit}", "由{county}承办")


def test_note_refuses_free_text() -> None:
    case = Case(load_directory(), load_rules(), None, [])
    with pytest.raises(TypeError):
        case.note("handled by the poverty-relief office 371402-fpb")  # type: ignore[arg-type]
    case.note(R.HANDLED_BY, unit="371402-fpb")
    assert case.reasons == ["handled by the poverty-relief office 371402-fpb"]


def _note_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted(ROUTING.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = node.func if isinstance(node, ast.Call) else None
            if isinstance(func, ast.Attribute) and func.attr == "note":
                calls.append((path.name, node))
    return calls


def test_every_note_call_in_the_routing_uses_a_template() -> None:
    """note() takes a Reason (checked when it runs); here: no call passes free text, each names
    a template of `reasons` (or a variable: _plan's loop over two of them), and no routing
    module makes a Reason of its own, so every reason's wording lives in reasons.py."""
    calls = _note_calls()
    assert len(calls) >= 30
    names = {n for n, v in vars(R).items() if isinstance(v, R.Reason)}
    for where, call in calls:
        first = call.args[0] if len(call.args) == 1 else None
        at = f"{where}:{call.lineno}"
        assert len(call.args) == 1, f"{at}: one template, its parameters by name"
        if isinstance(first, ast.Attribute):
            assert first.attr in names, f"{at} notes something that is not a template"
        else:
            assert isinstance(first, ast.Name), f"{at} notes free text, not a template"
    for path in sorted(ROUTING.glob("*.py")):
        if path.name == "reasons.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                made = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                assert made != "Reason", f"{path.name}:{node.lineno} makes a reason of its own"


def test_reasons_of_real_routings_all_read_back() -> None:
    d = load_directory()
    seen: set[str] = set()
    for problem in (None, 6, 18, 23):
        for accused in (None, "nosuch", "371402-fpb", "city-fpb", "city-lg", "371402-zzb"):
            for head in (False, True):
                found = route(d, problem, "371402", accused, "某某扶贫办", head, "web",
                              report_text=("德城区扶贫办",))  # fmt: skip
                seen.update(found.reasons)
    assert len(seen) > 20
    assert [t for t in seen if R.parse(t) is None] == []


def test_the_page_says_a_stored_reason_in_zh_cn_with_names() -> None:
    d = load_directory()
    stored = [
        "rules for problem 18 apply (measure 二)",
        "handled by the poverty-relief office 371402-fpb",
        "problem not classified yet: the city office triages it",
        "the accused unit belongs to 371400: that county's office is the default",
        "flagged for transfer to discipline_inspection by the rules",
        "a reason older data stored",
    ]
    first = {"internal": {"routing": stored}}
    zh = [r["text"] for r in _routing(d, first, english=False)]
    assert zh == [
        "按问题18（住不下来、沉不下去）的分办规则（措施二）",
        "由德城区扶贫办承办",
        "问题尚未分类：由市专项治理办分类交办",
        "被举报单位属德州市：默认由该地扶贫办承办",
        "按分办规则拟移送纪检监察机关",
        "a reason older data stored",
    ]
    assert [r["as_stored"] for r in _routing(d, first, english=False)] == [False] * 5 + [True]
    en = [r["text"] for r in _routing(d, first, english=True)]
    assert en[0] == "rules for problem 18 apply (measure 二)"
    assert en[1] == "handled by Decheng District Poverty Alleviation Office"
    assert en[4] == "flagged for transfer to discipline inspection by the rules"
    assert en[5] == "a reason older data stored"
    # An id the directory does not know is shown as the id.
    assert _namer(d, False)("unit", "gone-unit") == "gone-unit"
