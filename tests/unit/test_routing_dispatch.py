"""Problems 17-19 about a resident work team go to the unit that dispatched it and the
organisation department, never to the team (issue 22)."""

from __future__ import annotations

import pytest

from services.cases.routing.route import route
from shared.directory import load_directory

TEAM = "371422-chaihudian-xiwangzhuang-wt"  # sent by city-czj


@pytest.mark.parametrize("problem", [17, 18, 19])
def test_a_team_named_in_the_text_goes_to_its_dispatching_unit(problem: int) -> None:
    text = ("西王庄村第一书记一个月来一两次，平时不在村里住",)
    found = route(load_directory(), problem, "371422", None, None, False, "web", report_text=text)
    assert found.accused_units == [TEAM]
    assert (found.lead_unit, found.co_units[0]) == ("city-czj", "city-zzb")
    assert TEAM not in {found.handling_unit, found.lead_unit, *found.co_units}


def test_other_problems_and_other_units_keep_their_rules() -> None:
    directory = load_directory()
    other = route(directory, 23, "371422", TEAM, None, False, "web")
    assert other.lead_unit != "city-czj"
    plain = route(directory, 18, "371422", "371422-duji", None, False, "web")
    assert (plain.lead_unit, plain.co_units) == ("city-zzb", ["city-fpb"])


def test_an_accused_dispatching_unit_never_leads() -> None:
    found = route(load_directory(), 18, "371422", TEAM, None, False, "web",
                  report_text=("市财政局和西王庄村驻村工作队都不管事",))  # fmt: skip
    assert "city-czj" in found.accused_units and found.lead_unit != "city-czj"
