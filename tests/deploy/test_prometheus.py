"""deploy/prometheus: promtool checks the alert rules and runs their unit tests (one test group
per alert at least), and every metric the rules read is one a service defines."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    assert promtool, "promtool missing: `make promtool` installs Debian's prometheus package"
    return subprocess.run(
        [promtool, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120
    )


def _alerts() -> list[dict[str, object]]:
    groups = yaml.safe_load((PROMETHEUS / "rules.yaml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_promtool_checks_the_rules() -> None:
    done = _promtool("check", "rules", "rules.yaml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_promtool_unit_tests_pass_and_cover_every_alert() -> None:
    done = _promtool("test", "rules", "rules.test.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    tests = yaml.safe_load((PROMETHEUS / "rules.test.yaml").read_text())["tests"]
    fired = {
        case["alertname"]
        for test in tests
        for case in test["alert_rule_test"]
        if case.get("exp_alerts")
    }
    assert fired == {str(rule["alert"]) for rule in _alerts()}


def test_rules_read_only_metrics_the_services_define() -> None:
    sources = "\n".join(
        path.read_text() for base in ("services", "shared") for path in (ROOT / base).rglob("*.py")
    )
    for rule in _alerts():
        for name in re.findall(r"\b(zuofeng_[a-z_]+)", str(rule["expr"])):
            base = re.sub(r"_(total|count|sum|bucket)$", "", name)
            short = base.removeprefix("zuofeng_reporting_")
            assert f'"{base}"' in sources or f'"{short}"' in sources, name
