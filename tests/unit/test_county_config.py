"""A county's own configuration directory: the loaders answer from it (files left out fall
back to the packaged ones), and `zuofeng config check` / `zuofeng serve` name the file, line and
field of every problem in a broken one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cases.routing.rules import load_rules
from services.cli import app
from services.cli.config import problems
from shared import configdir
from shared.deadlines import load_profiles
from shared.directory import load_directory
from shared.holidays import default_calendar
from shared.taxonomy import load_taxonomy

COUNTY = Path(__file__).parents[1] / "data" / "county_wucheng"


@pytest.fixture(autouse=True)
def packaged_after() -> Iterator[None]:
    yield
    configdir.deactivate()


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """A copy of the test county's directory to break."""
    return Path(shutil.copytree(COUNTY, tmp_path / "county"))


def replace_in(path: Path, old: str, new: str) -> int:
    """Replace `old` once and return the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_loaders_answer_from_the_active_directory_and_fall_back() -> None:
    assert "wc-fpb" not in load_directory() and default_calendar().is_workday(date(2025, 3, 5))
    configdir.activate(COUNTY)
    directory = load_directory()
    assert "wc-fpb" in directory and "371402-fpb" not in directory
    assert [code for code, _ in directory.counties()] == ["371428"]
    assert not default_calendar().is_workday(date(2025, 3, 5))  # the county's extra holiday
    assert load_profiles().default.rule("register_and_dispose").kind == "working"
    assert load_profiles().default.rule("handle").days == 60  # not in the county's file
    assert load_rules().problems == {}
    assert load_taxonomy() is load_taxonomy()  # no problems.yaml: the packaged list
    configdir.deactivate()
    assert "wc-fpb" not in load_directory()


def test_the_environment_names_the_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    configdir.deactivate()  # a service built earlier in this process activated its own
    monkeypatch.setenv(configdir.ENV, str(COUNTY))
    assert "wc-fpb" in load_directory()


def test_the_test_county_is_ok() -> None:
    assert problems(COUNTY) == []


def test_a_bad_unit_kind_is_named_with_file_line_and_field(county: Path) -> None:
    line = replace_in(county / "directory.yaml", "kind: township", "kind: hamlet")
    [problem] = problems(county)
    assert (problem.file, problem.line) == (str(county / "directory.yaml"), line)
    assert problem.field == "units[6].kind" and "township" in problem.message


def test_an_unknown_supervisor_is_placed_on_its_unit(county: Path) -> None:
    line = replace_in(county / "directory.yaml", "- {unit: wc-laocheng, by", "- {unit: nowhere, by")
    [problem] = problems(county)
    assert problem.line == line - 1  # the `supervisors:` key of the village
    assert problem.field == "units[7].supervisors" and "nowhere" in problem.message


def test_routing_naming_a_unit_the_county_lacks(county: Path) -> None:
    line = replace_in(county / "routing.yaml", "lead: city-fpb", "lead: 371402-fpb")
    [problem] = problems(county)
    assert (Path(problem.file).name, problem.line) == ("routing.yaml", line)
    assert problem.field == "default.lead"
    assert "371402-fpb" in problem.message


def test_without_routing_the_packaged_rules_are_checked_against_the_county(county: Path) -> None:
    (county / "routing.yaml").unlink()
    [problem] = problems(county)
    assert problem.file.endswith("services/cases/routing/rules.yaml")
    assert "city-zzb" in problem.message and "routing.yaml" in problem.message


def test_profiles_holidays_and_yaml_errors(county: Path) -> None:
    days = replace_in(county / "deadline_profiles.yaml", "days: 5", "days: -5")
    (county / "holidays" / "2026.yaml").write_text("year: 2026\nholidays: [2026-02-30]\n")
    (county / "holidays" / "again.yaml").write_text("year: 2025\n")
    (county / "problems.yaml").write_text("version: x\nproblems: [\n")
    (county / "routing_rules.yaml").write_text("version: 1\n")
    found = {(Path(p.file).name, p.line, p.field) for p in problems(county)}
    assert ("deadline_profiles.yaml", days, "clocks.register_and_dispose.days") in found
    assert ("2026.yaml", 2, "(yaml)") in found  # 30 February, on its line
    assert ("again.yaml", 1, "year") in found  # a second table for 2025
    assert ("problems.yaml", 3, "(yaml)") in found
    assert ("routing_rules.yaml", 1, "(file)") in found  # a misspelt name is not ignored


def test_a_channel_override_is_placed_on_the_channel(county: Path) -> None:
    path = county / "deadline_profiles.yaml"
    path.write_text(
        path.read_text() + "channels:\n  hotline:\n    clocks:\n      handle: {kind: weekly}\n"
    )
    [problem] = problems(county)
    assert (problem.line, problem.field) == (10, "channels.hotline.clocks.handle.kind")


def test_config_check_cli(county: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["config", "check", str(COUNTY)])
    assert ok.exit_code == 0 and ok.stdout.startswith("OK")
    line = replace_in(county / "directory.yaml", 'code: "371428"', 'code: "3714"')
    bad = runner.invoke(app, ["config", "check", str(county)])
    assert bad.exit_code == 1
    assert f"{county / 'directory.yaml'}:{line}: counties[0].code:" in bad.stdout


def test_serve_refuses_a_broken_directory_without_a_traceback(county: Path) -> None:
    line = replace_in(county / "directory.yaml", "level: village", "level: hamlet")
    env = {**os.environ, configdir.ENV: str(county), "ZUOFENG_CASES_PORT": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "serve", "cases"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert f"directory.yaml:{line}: units[7].level:" in done.stderr
    assert "refusing to start" in done.stderr and "Traceback" not in done.stderr
