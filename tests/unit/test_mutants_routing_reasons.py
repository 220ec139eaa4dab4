"""A reason template built at run time (as a rules author or a new reason would): its regex reads
back exactly the strings the template writes, and wordings that name other parameters are
refused. The module's own reasons are built at import, out of `make mutants`' reach."""

from __future__ import annotations

import pytest

from services.cases.routing.reasons import Reason


def test_a_template_reads_back_its_parameters_and_nothing_else() -> None:
    en = "{unit} is accused: the rules send problem {problem} to {stand_in}"
    r = Reason(en, "{unit}{problem}{stand_in}")
    found = r.regex.fullmatch("a-1 is accused: the rules send problem 17 to city-fpb")
    assert found is not None
    assert found.groupdict() == {"unit": "a-1", "problem": "17", "stand_in": "city-fpb"}
    assert r.regex.fullmatch("a-1 is accused: the rules send problem x to city-fpb") is None
    assert r.regex.fullmatch("a-1 is accused: the rules send problem 17 to city fpb") is None
    assert r.regex.fullmatch("a-1 is accused, the rules send problem 17 to city-fpb") is None


def test_a_parameter_named_twice_must_read_the_same_both_times() -> None:
    r = Reason("{unit} leads; {unit} again", "{unit}：{unit}")
    found = r.regex.fullmatch("x leads; x again")
    assert found is not None and found.groupdict() == {"unit": "x"}
    assert r.regex.fullmatch("x leads; y again") is None


def test_the_literal_text_is_matched_as_written_not_as_a_pattern() -> None:
    r = Reason("unit (a.b) + {unit}?", "{unit}")
    assert r.regex.fullmatch("unit (a.b) + u?") is not None
    assert r.regex.fullmatch("unit XaXbX + u?") is None
    assert r.regex.fullmatch("unit (a.b) + u") is None


def test_escaped_braces_are_literal_text_and_the_rest_still_counts() -> None:
    r = Reason("{{braces}} then {unit} end", "{unit}")
    assert r.regex.fullmatch("{braces} then u end") is not None
    assert r.regex.fullmatch("{braces} then u") is None
    assert r.regex.fullmatch("{braces} XXXX u end") is None


def test_text_without_parameters_matches_only_itself() -> None:
    r = Reason("no parameters here", "无参数")
    assert r.regex.fullmatch("no parameters here") is not None
    assert r.regex.fullmatch("no parameters") is None
    assert r.params == frozenset()


@pytest.mark.parametrize(
    ("en", "zh"), [("{unit!r} x", "{unit}"), ("{unit:>4} x", "{unit}"), ("{who} x", "{who}")]
)
def test_a_parameter_without_a_kind_or_with_a_format_is_refused(en: str, zh: str) -> None:
    with pytest.raises(ValueError, match="has no kind or carries a format"):
        Reason(en, zh)


@pytest.mark.parametrize(
    ("zh", "shown_en"),
    [("{stand_in}", ""), ("{unit}", "{stand_in}"), ("", "{stand_in}"), ("{unit}{stand_in}", "")],
)
def test_wordings_naming_other_parameters_are_refused(zh: str, shown_en: str) -> None:
    with pytest.raises(ValueError):
        Reason("{unit} goes", zh, shown_en)


@pytest.mark.parametrize("shown_en", ["", "goes: {unit}", "{unit} {unit}"])
def test_wordings_naming_the_same_parameters_are_taken(shown_en: str) -> None:
    r = Reason("{unit} goes", "{unit}去", shown_en)
    assert r.regex.fullmatch("u goes") is not None
    assert r.say(True, unit="U") == (shown_en or "{unit} goes").format(unit="U")
    assert r.say(False, unit="U") == "U去"
