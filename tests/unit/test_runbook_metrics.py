"""The runbook answers from metrics: every `zuofeng_*` family and alert it names exists (in the
code, in deploy/prometheus/rules.yaml), and it asks the databases nothing in SQL."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = (ROOT / "docs" / "operations.md").read_text()
SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_created")


def _defined_families() -> set[str]:
    found: set[str] = set()
    for folder in ("shared", "services"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(re.findall(r"\"(zuofeng_[a-z_]+)\"", path.read_text()))
    # Reporting's collector names its gauges under a prefix (metrics/collector.py).
    collector = (ROOT / "services/reporting/metrics/collector.py").read_text()
    return found | {
        f"zuofeng_reporting_{n}" for n in re.findall(r"_gauge\(\s*\"([a-z_]+)\"", collector)
    }


def _family(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def test_every_metric_the_runbook_names_is_exposed_by_some_service() -> None:
    named = {_family(n) for n in re.findall(r"\b(zuofeng_[a-z_]+)", RUNBOOK)}
    assert len(named) > 15
    assert named - _defined_families() == set()


def test_every_alert_the_runbook_names_is_a_rule() -> None:
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "rules.yaml").read_text())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    named = set(re.findall(r"\b(Zuofeng[A-Z][A-Za-z]+)", RUNBOOK))
    assert len(named) > 5
    assert named - alerts == set()


def test_no_health_answer_is_a_sql_query() -> None:
    assert not re.search(r"```sql|\bSELECT\b|FROM outbox|pg_stat_", RUNBOOK)
