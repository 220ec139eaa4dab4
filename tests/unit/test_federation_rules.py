"""The federation's rules with no I/O: an aid application's steps and who takes them, the
eligibility reasons an applicant is told, a caller's county and reach, the CSV's flattening."""

from __future__ import annotations

import pytest

from services.federation import callers, stats
from services.federation.aid import workflow
from shared.auth import Principal
from shared.directory import load_directory
from shared.errors import Refusal

DIRECTORY = load_directory()


def who(unit: str, role: str = "federation_officer") -> Principal:
    return Principal(sub="t", unit=unit, role=role)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("action", "before", "after", "level"),
    [
        ("check", "submitted", "eligible", "county"),
        ("review", "eligible", "reviewed", "county"),
        ("approve", "reviewed", "approved", "city"),
        ("disburse", "approved", "disbursed", "city"),
        ("close", "disbursed", "closed", "city"),
        ("refuse", "submitted", "refused", "county"),
        ("refuse", "eligible", "refused", "county"),
        ("refuse", "reviewed", "refused", "city"),
    ],
)
def test_each_step_from_its_status_by_its_level(
    action: str, before: str, after: str, level: str
) -> None:
    assert workflow.move(action, before) == (after, level)


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "eligible"), ("check", "eligible"), ("close", "approved"),
     ("refuse", "approved"), ("refuse", "closed"), ("review", "refused")],
)  # fmt: skip
def test_a_step_out_of_order_is_a_conflict(action: str, status: str) -> None:
    with pytest.raises(Refusal) as refused:
        workflow.move(action, status)
    assert refused.value.status == 409


def test_every_failed_condition_is_told() -> None:
    assert workflow.eligibility_problems(True, True, True, False) == []
    told = workflow.eligibility_problems(False, False, False, True)
    assert len(told) == 4 and "建档立卡" in told[0] and "本年度" in told[3]


def test_a_callers_county_from_the_directory_or_its_unit_id() -> None:
    assert callers.county_of(who("city-fl"), DIRECTORY) == "371400"
    assert callers.county_of(who("371402-fl"), DIRECTORY) == "371402"
    assert callers.county_of(who("371402-fl-v3", "village_cadre"), DIRECTORY) == "371402"
    assert callers.county_of(who("somewhere"), DIRECTORY) is None


def test_reach_of_county_and_city_officers_and_cadres() -> None:
    city, county, cadre = who("city-fl"), who("371402-fl"), who("371402-x", "village_cadre")
    assert callers.sees(city, DIRECTORY, "371403") and callers.is_city(city, DIRECTORY)
    assert callers.sees(county, DIRECTORY, "371402")
    assert not callers.sees(county, DIRECTORY, "371403")
    assert not callers.sees(cadre, DIRECTORY, "371402")  # cadres read no application
    assert callers.acts_in(cadre, DIRECTORY, "371402")
    assert not callers.acts_in(cadre, DIRECTORY, "371403")
    assert not callers.acts_in(who("371402-fpb", "officer"), DIRECTORY, "371402")
    assert not callers.acts_in(who("nowhere"), DIRECTORY, "371402")


def test_csv_flattens_funds_and_gaps() -> None:
    text = stats.as_csv(
        [{"county": "371402", "aid_amount_by_fund": {"national": 5}, "school_gaps": ["甲", "乙"],
          "aid_poor_village_share": None}]
    )  # fmt: skip
    assert text.splitlines() == [
        "county,aid_amount_by_fund.national,school_gaps,aid_poor_village_share",
        "371402,5,甲、乙,",
    ]
