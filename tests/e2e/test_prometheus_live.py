"""Debian's Prometheus on loopback scrapes the five services (as `make run` starts them) every
second under a little load, with deploy/prometheus/rules.yaml loaded; then through its HTTP API:
every rule evaluates without error, no alert fires on the healthy stack, every alert's operands
(the expression before its threshold) return series, and every Grafana panel expression of
deploy/grafana returns data (0 is data for a rate or a count); `promtool check metrics` passes
on every /metrics after the load."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.e2e.live_stack import load, started
from tests.pg import PgServer, free_port, in_thread
from tests.procstack import SERVICES, ProcStack

pytestmark = pytest.mark.e2e
LIVE = (*SERVICES, "federation")  # every service `make run` starts
ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "rules.yaml"
DASHBOARDS = sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))
FAST = {
    "ZUOFENG_CASES_METRICS_INTERVAL": "1",
    "ZUOFENG_REPORTING_METRICS_INTERVAL": "1",
    "ZUOFENG_OUTBOX_POLL_INTERVAL": "0.5",
}
# Every alert is a fault's condition, so on a healthy stack each returns nothing: why, and the
# operands (parts of its expression, before the threshold) that must return series instead.
FAULT_ONLY = {
    "ZuofengServiceDown": ("a service is down", ['up{job="zuofeng"}']),
    "ZuofengConsumerLagGrowing": (
        "more than 1000 messages behind and growing",
        [
            "max by (stream, consumer) (zuofeng_consumer_pending)",
            "max by (stream, consumer) (deriv(zuofeng_consumer_pending[10m]))",
        ],
    ),
    "ZuofengDeadlinesMissed": (
        "a deadline missed in the last hour (days of waiting, or a faked clock)",
        ["delta(zuofeng_reporting_overdue_open_cases[1h])"],
    ),
    "ZuofengNoReportsForAWorkingDay": (
        "a working day without reports from a county",
        ["sum by (county) (increase(zuofeng_intake_reports_total[1d]))"],
    ),
    "ZuofengHttpErrorRate": (
        "5xx answers (none happen here: the numerator is empty, the denominator is data)",
        ["sum by (service) (rate(zuofeng_http_request_duration_seconds_count[5m]))"],
    ),
    "ZuofengNotificationsFailing": (
        "notices failing for good",
        ['sum by (channel) (increase(zuofeng_notify_deliveries_total{outcome="failed"}[30m]))'],
    ),
    "ZuofengNotificationsPiling": ("notices piling up", ["zuofeng_notify_deliveries_pending"]),
    "ZuofengDeadLetters": ("dead letters", ["max by (consumer) (zuofeng_dlq_messages)"]),
    "ZuofengOutboxStuck": (
        "an event stuck in an outbox",
        ["max by (service) (zuofeng_outbox_oldest_age_seconds)"],
    ),
    "ZuofengAidStepsOverdue": (
        "两癌 aid steps past their deadline (none here: no application is that old)",
        ['sum(increase(zuofeng_federation_aid_steps_total{step="overdue"}[1h]))'],
    ),
}
# The service dashboard's panels are asked for each service ($service); intake's and notify's
# own panels only of theirs.
ONLY_FOR = {"(intake)": "intake", "(notify)": "notify"}


@pytest.fixture
def stack(pg_server: PgServer, tmp_path: Path) -> Iterator[ProcStack]:
    databases = {name: in_thread(pg_server.create_database()) for name in LIVE}
    with started(tmp_path, databases, FAST) as running:
        yield running


@pytest.fixture
def prometheus(stack: ProcStack, tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("prometheus")
    assert binary, "prometheus missing: `make promtool` installs Debian's prometheus package"
    port = free_port()
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {
                "job_name": "zuofeng",
                "static_configs": [
                    {"targets": [f"127.0.0.1:{stack.ports[name]}"], "labels": {"service": name}}
                    for name in LIVE
                ],
            }
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    log = open(tmp_path / "prometheus.log", "wb")  # noqa: SIM115 - the child writes it
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _until(lambda: _get(f"{url}/-/ready") == 200, proc, tmp_path)
        # Every service scraped before the load: the counters' zeros come before their rises.
        _until(lambda: len(_query(url, 'up{job="zuofeng"} == 1')) == len(LIVE), proc, tmp_path)
        yield url
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()


def _get(url: str) -> int:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return 0


def _until(ready: Any, proc: subprocess.Popen[bytes], tmp_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, (tmp_path / "prometheus.log").read_text()
        assert time.monotonic() < deadline, (tmp_path / "prometheus.log").read_text()
        time.sleep(0.2)


def _query(url: str, expr: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{url}/api/v1/query", params={"query": expr}, timeout=10).json()
    assert answer["status"] == "success", (expr, answer)
    return list(answer["data"]["result"])


def _panels() -> list[tuple[str, str, str]]:
    """(dashboard, panel title, expression) with the dashboard variables filled in: each
    service for $service, a window covering the whole run for $__rate_interval."""
    out = []
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            only = next((s for mark, s in ONLY_FOR.items() if mark in panel["title"]), None)
            for target in panel["targets"]:
                expr = target["expr"].replace("$__rate_interval", "5m")
                services = [only] if only else LIVE if "$service" in expr else [""]
                for service in services:
                    out.append((path.stem, panel["title"], expr.replace("$service", service)))
    return out


def _alerts() -> dict[str, str]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return {r["alert"]: r["expr"] for g in groups for r in g["rules"] if "alert" in r}


def _squash(expr: str) -> str:
    return re.sub(r"\s+", " ", expr).strip()


def test_every_rule_and_panel_expression_returns_data(stack: ProcStack, prometheus: str) -> None:
    made = asyncio.run(load(stack))
    assert made["cases"]
    url = prometheus
    targets = httpx.get(f"{url}/api/v1/targets", timeout=10).json()["data"]["activeTargets"]
    assert len(targets) == len(LIVE)

    def settled() -> bool:
        # Every panel has data, and every service has been scraped after the load settled.
        return all(_query(url, expr) for _, _, expr in _panels()) and all(
            t["health"] == "up"
            for t in httpx.get(f"{url}/api/v1/targets", timeout=10).json()["data"]["activeTargets"]
        )

    deadline = time.monotonic() + 60
    while not settled() and time.monotonic() < deadline:
        time.sleep(1)
    empty = [(board, title, expr) for board, title, expr in _panels() if not _query(url, expr)]
    assert not empty, empty

    alerts = _alerts()
    assert set(alerts) == set(FAULT_ONLY)  # a new alert says here why it is quiet
    for name, expr in alerts.items():
        assert _query(url, expr) == [], (name, "fires on a healthy stack")
        for operand in FAULT_ONLY[name][1]:
            assert _squash(operand) in _squash(expr), (name, operand)
            assert _query(url, operand), (name, operand, "no series")
    rules = httpx.get(f"{url}/api/v1/rules", timeout=10).json()["data"]["groups"]
    evaluated = [rule for group in rules for rule in group["rules"]]
    assert len(evaluated) == len(alerts)
    assert all(r["health"] == "ok" and not r.get("lastError") for r in evaluated), evaluated
    _promtool_checks_every_metrics_page(stack)


def _promtool_checks_every_metrics_page(stack: ProcStack) -> None:
    promtool = shutil.which("promtool")
    assert promtool
    for name in LIVE:
        text = httpx.get(f"{stack.url(name)}/metrics", timeout=10).text
        done = subprocess.run(
            [promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0 and not done.stdout.strip(), (name, done.stdout + done.stderr)
