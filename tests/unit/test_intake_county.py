"""A county's own intake (`ZUOFENG_INTAKE_COUNTY`, at the county's leaf): its county's reports
only, since its NATS user may publish nothing else; the city's intake takes every county's."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import ValidationError

from services.intake.checks import check_report
from services.intake.schemas.report import ReportIn
from services.intake.settings import IntakeSettings

A, B = "371402", "371403"


def _problems(county: str | None, report_county: str) -> list[tuple[Any, ...]]:
    ctx: Any = SimpleNamespace(
        counties=frozenset({A, B}),
        settings=IntakeSettings(county=county),
        taxonomy=SimpleNamespace(numbers=lambda: set()),
        directory=set(),
    )
    body = ReportIn(channel="web", county=report_county, content="村里的低保评定不公开，请核查。")
    return check_report(ctx, body, date(2026, 12, 7))


def test_a_county_intake_refuses_another_countys_report_naming_the_field() -> None:
    assert [loc for loc, *_ in _problems(A, B)] == [("county",)]
    assert _problems(A, A) == []


def test_the_city_intake_takes_every_county() -> None:
    assert _problems(None, B) == []


def test_the_county_setting_is_a_county_code() -> None:
    with pytest.raises(ValidationError):
        IntakeSettings(county="3714")
