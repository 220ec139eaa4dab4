"""`config check` places a routing rule naming an unknown unit on the rule's own field and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.cases.routing.check import check_routing
from shared.directory import load_directory
from shared.yamlmarks import Problem

DZ = load_directory()


def check(tmp_path: Path, text: str) -> Problem:
    (tmp_path / "routing.yaml").write_text(text, encoding="utf-8")
    [problem] = check_routing(tmp_path, DZ)
    assert problem.file == str(tmp_path / "routing.yaml")
    assert "unknown unit" in problem.message and "packaged" not in problem.message
    return problem


def test_a_problem_s_unknown_lead_is_placed_on_its_lead(tmp_path: Path) -> None:
    text = "version: 1\nproblems:\n  6:\n    measure: 三\n    lead: nowhere\n"
    p = check(tmp_path, text)
    assert (p.field, p.line) == ("problems.6.lead", 5)
    assert p.message == "problem 6: unknown unit 'nowhere'"


def test_an_unknown_co_unit_is_placed_on_the_co_list(tmp_path: Path) -> None:
    text = "version: 1\nproblems:\n  6:\n    lead: city-fpb\n    co:\n      - city-zzb\n"
    text += "      - nowhere\n"
    p = check(tmp_path, text)
    assert (p.field, p.line) == ("problems.6.co", 5)


def test_a_unit_named_by_two_fields_is_placed_on_the_first(tmp_path: Path) -> None:
    text = "version: 1\nproblems:\n  9:\n    lead: nowhere\n    co: [nowhere]\n"
    p = check(tmp_path, text)
    assert (p.field, p.line) == ("problems.9.lead", 4)


def test_a_channel_s_unknown_unit_is_placed_on_the_channel(tmp_path: Path) -> None:
    text = "version: 1\nchannels:\n  web:\n    lead: city-fpb\n  hotline:\n    co: [nowhere]\n"
    p = check(tmp_path, text)
    assert (p.field, p.line) == ("channels.hotline.co", 6)


def test_the_default_s_unknown_lead(tmp_path: Path) -> None:
    p = check(tmp_path, "version: 1\ndefault:\n  measure: 九\n  lead: nowhere\n")
    assert (p.field, p.line) == ("default.lead", 4)


def test_an_unknown_accused_unit_is_placed_on_its_entry(tmp_path: Path) -> None:
    text = "version: 1\ndefault: {lead: city-fpb}\nwhen_accused:\n  nowhere: [city-fpb]\n"
    p = check(tmp_path, text)
    assert (p.field, p.line) == ("when_accused.nowhere", 4)


def test_an_unknown_fallback_is_placed_on_the_fallback(tmp_path: Path) -> None:
    p = check(tmp_path, "version: 1\ndefault: {lead: city-fpb}\n\nfallback: [city-fpb, nowhere]\n")
    assert (p.field, p.line) == ("fallback", 4)


def test_a_quoted_problem_number_is_found_as_written(tmp_path: Path) -> None:
    p = check(tmp_path, 'version: 1\nproblems:\n  "6":\n    lead: nowhere\n')
    assert (p.field, p.line) == ("problems.6.lead", 4)


def test_an_odd_unit_id_is_still_placed_on_its_field(tmp_path: Path) -> None:
    text = "version: 1\nproblems:\n  6:\n    measure: 三\n    lead: 'Xno:whereX'\n"
    p = check(tmp_path, text)
    assert (p.field, p.line) == ("problems.6.lead", 5)


@pytest.mark.parametrize("key", ["no where", " nowhere", "no where at all"])
def test_an_accused_entry_is_found_by_its_key_as_written(tmp_path: Path, key: str) -> None:
    text = f'version: 1\ndefault: {{lead: city-fpb}}\nwhen_accused:\n  "{key}": [city-fpb]\n'
    p = check(tmp_path, text)
    assert (p.field, p.line) == (f"when_accused.{key}", 4)


def test_a_rules_file_the_model_refuses_is_placed_field_by_field(tmp_path: Path) -> None:
    (tmp_path / "routing.yaml").write_text("version: 1\nproblems:\n  6:\n    bogus: 1\n")
    [problem] = check_routing(tmp_path, DZ)
    assert (problem.field, problem.line) == ("problems[6].bogus", 4)


def test_an_odd_co_unit_id_is_placed_on_the_co_list(tmp_path: Path) -> None:
    p = check(tmp_path, "version: 1\nproblems:\n  6:\n    lead: city-fpb\n    co: [Xnowhere]\n")
    assert (p.field, p.line) == ("problems.6.co", 5)


def test_an_entry_the_walk_cannot_follow_is_placed_on_the_nearest_line(tmp_path: Path) -> None:
    text = "version: 1\ndefault: {lead: city-fpb}\nwhen_accused:\n  'no:where': [city-fpb]\n"
    p = check(tmp_path, text)
    assert p.line == 3 and "'no:where'" in p.message
