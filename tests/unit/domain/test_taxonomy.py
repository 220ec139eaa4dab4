"""The packaged problem list and the loader's validation."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pydantic
import pytest

from shared.taxonomy import (
    MEASURE_NUMBERS,
    NATIONAL_AREAS,
    TaxonomyError,
    load_taxonomy,
    parse_taxonomy,
)

# Exactly the numbers the seed excerpt has; the gaps are real.
SEED_NUMBERS = (1, 3, 5, 6, 7, 9, 10, 11, 13, 17, 18, 19, 20, 21, 22, 23, 26)
UNITS = ("各县市区", "各成员单位")


def _valid() -> dict[str, Any]:
    return {
        "version": "test-v1",
        "problems": [
            {"number": 1, "title": "认识不足", "title_en": "Not understood", "text": "认识不足。"},
            {"number": 3, "title": "不及时", "title_en": "Late", "text": "传达贯彻不及时。"},
        ],
        "measures": [
            {
                "number": 9,
                "title": "查处突出问题",
                "summary_en": "Investigate",
                "text": "一经举报,追查到底。",
                "lead_units": ["市扶贫办"],
                "responsible_units": list(UNITS),
            }
        ],
    }


def test_real_list_has_exactly_the_seed_numbers() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.version == "dezhou-2018-v1"
    assert taxonomy.numbers() == SEED_NUMBERS
    assert [p.number for p in taxonomy.problems()] == list(SEED_NUMBERS)


def test_titles_are_phrases_of_the_seed_text() -> None:
    for problem in load_taxonomy().problems():
        assert problem.title in problem.text
        assert problem.title_en.strip()


def test_texts_are_kept_verbatim_even_where_the_excerpt_lost_a_word() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.problem(18).text.startswith("、驻村工作队队员住不下来、沉不下去")
    assert taxonomy.problem(7).text.startswith("对贫困群众感情不深,“门好进、脸好看”但“事难办”")


def test_missing_numbers_stay_missing() -> None:
    taxonomy = load_taxonomy()
    for number in (2, 4, 8, 12, 14, 15, 16, 24, 25, 27):
        assert number not in taxonomy
        with pytest.raises(KeyError):
            taxonomy.problem(number)


def test_national_areas_only_from_the_six() -> None:
    taxonomy = load_taxonomy()
    areas = {p.number: p.national_area for p in taxonomy.problems()}
    assert set(areas.values()) - {None} <= NATIONAL_AREAS
    assert areas[23] == areas[26] == "资金管理使用不规范"
    assert areas[5] is None


def test_measures_are_the_seeds_with_their_units() -> None:
    measures = load_taxonomy().measures()
    assert [m.number for m in measures] == [1, 2, 3, 4, 5, 9]
    assert [m.label for m in measures] == ["(一)", "(二)", "(三)", "(四)", "(五)", "(九)"]
    leads = {m.number: m.lead_units for m in measures}
    assert leads[1] == ("市扶贫办", "市委组织部")
    assert leads[2] == ("市委组织部", "市扶贫办")
    assert all(leads[n] == ("市扶贫办",) for n in (3, 4, 5, 9))
    assert all(m.responsible_units == UNITS for m in measures)
    assert "只填报一次建档立卡信息系统数据" in measures[3].text


def test_default_is_cached_and_frozen() -> None:
    taxonomy = load_taxonomy()
    assert load_taxonomy() is taxonomy
    with pytest.raises(pydantic.ValidationError):
        taxonomy.version = "changed"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        taxonomy.problem(1).text = "changed"  # type: ignore[misc]


def test_a_path_loads_a_fresh_list(tmp_path: Path) -> None:
    path = tmp_path / "problems.yaml"
    path.write_text(
        "version: v9\nproblems:\n  - {number: 2, title: t, title_en: e, text: 正文}\n",
        encoding="utf-8",
    )
    taxonomy = load_taxonomy(path)
    assert taxonomy.version == "v9"
    assert taxonomy.numbers() == (2,)
    assert taxonomy.measures() == ()


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = _valid()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _duplicate_problem() -> dict[str, Any]:
    data = _valid()
    data["problems"].append(copy.deepcopy(data["problems"][1]))
    return data


def _duplicate_measure() -> dict[str, Any]:
    data = _valid()
    data["measures"].append(copy.deepcopy(data["measures"][0]))
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_duplicate_problem(), r"problems\[2\] \(number 3\): duplicate number 3"),
        (_with(("problems", 0, "text"), "   "), r"problems\[0\] \(number 1\): text"),
        (_with(("problems", 1, "text"), None), r"problems\[1\] \(number 3\): text"),
        (_with(("problems", 0, "number"), 0), r"problems\[0\] \(number 0\): number"),
        (_with(("problems", 1, "title"), ""), r"problems\[1\] \(number 3\): title"),
        (_with(("problems", 0, "national_area"), "扶贫"), r"problems\[0\].*unknown national"),
        (_with(("problems", 0, "titel"), "typo"), r"problems\[0\] \(number 1\): titel"),
        (_with(("problems", 1), "3. text"), r"problems\[1\] \(number None\): must be a mapping"),
        (_with(("measures", 0, "number"), 6), r"measures\[0\] \(number 6\): .*outside the allowed"),
        (_with(("measures", 0, "number"), 10), r"measures\[0\] \(number 10\): .*outside"),
        (_with(("measures", 0, "text"), ""), r"measures\[0\] \(number 9\): text"),
        (_with(("measures", 0, "lead_units"), []), r"measures\[0\] \(number 9\): lead_units"),
        (_duplicate_measure(), r"measures\[1\] \(number 9\): duplicate number 9"),
        (_with(("problems",), []), r"problems: must be a non-empty list"),
        (_with(("measures",), {"一": "x"}), r"measures: must be a list"),
        (_with(("version",), ""), r"'version' must be a non-empty string"),
        (["not", "a", "mapping"], r"top level must be a mapping"),
    ],
)
def test_invalid_lists_name_the_entry(data: Any, message: str) -> None:
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(data)


def test_measure_numbers_allowed_are_the_seeds() -> None:
    assert frozenset({1, 2, 3, 4, 5, 9}) == MEASURE_NUMBERS


def test_file_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: [unclosed\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="invalid YAML"):
        load_taxonomy(broken)
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "missing.yaml")
    duplicate = tmp_path / "duplicate.yaml"
    duplicate.write_text(
        "version: v1\nproblems:\n"
        "  - {number: 5, title: a, title_en: a, text: 甲}\n"
        "  - {number: 5, title: b, title_en: b, text: 乙}\n",
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyError, match=r"problems\[1\] \(number 5\): duplicate"):
        load_taxonomy(duplicate)
