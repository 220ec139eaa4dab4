"""cases refuses to start on routing rules that name a unit its directory lacks (a case routed
there would sit where nobody looks), naming the rule; the county's own valid rules start."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.cases.main import create_app
from services.cases.routing.rules import RoutingRulesError
from services.cases.settings import CasesSettings
from shared import configdir

COUNTY = Path(__file__).parents[1] / "data" / "county_wucheng"


@pytest.fixture
def county(tmp_path: Path) -> Iterator[Path]:
    root = Path(shutil.copytree(COUNTY, tmp_path / "county"))
    yield root
    configdir.deactivate()


def _settings(tmp_path: Path, county: Path) -> CasesSettings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cases.db'}"
    # Nothing connects while the app is built: any URL will do.
    return CasesSettings(
        var_dir=tmp_path / "var", config_dir=county, database_url=url,
        nats_url="nats://127.0.0.1:1",
    )  # fmt: skip


def test_rules_naming_an_unknown_unit_refuse_the_start(tmp_path: Path, county: Path) -> None:
    rules = (county / "routing.yaml").read_text(encoding="utf-8")
    (county / "routing.yaml").write_text(
        rules.replace("problems: {}", "problems:\n  17:\n    lead: no-such-unit"), encoding="utf-8"
    )
    with pytest.raises(RoutingRulesError, match="problem 17: unknown unit 'no-such-unit'"):
        create_app(_settings(tmp_path, county))


def test_the_county_s_own_rules_start(tmp_path: Path, county: Path) -> None:
    assert create_app(_settings(tmp_path, county)).title == "Zuofeng cases"
