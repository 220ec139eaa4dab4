"""deploy/grafana: each dashboard is provisioned, and every panel's query parses: promtool cannot
parse a bare expression, so each becomes a recording rule of a generated rules file that
`promtool check rules` reads. Every metric they read is one a service defines (or `up`)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "deploy" / "grafana"
VARIABLES = {"$__rate_interval": "5m", "$service": "intake"}


def _dashboards() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(GRAFANA.glob("dashboards/*.json"))}


def _expressions() -> list[str]:
    out = []
    for board in _dashboards().values():
        for panel in board["panels"]:
            for target in panel["targets"]:
                expr = target["expr"]
                for name, value in VARIABLES.items():
                    expr = expr.replace(name, value)
                out.append(expr)
    return out


def test_the_three_dashboards_are_provisioned() -> None:
    assert set(_dashboards()) == {"pipeline", "campaign", "service"}
    provider = yaml.safe_load((GRAFANA / "provisioning/dashboards/zuofeng.yaml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    uids = [board["uid"] for board in _dashboards().values()]
    assert len(set(uids)) == len(uids)


def test_every_panel_query_parses(tmp_path: Path) -> None:
    rules = [
        {"record": f"zuofeng:panel_{n}", "expr": expr} for n, expr in enumerate(_expressions())
    ]
    path = tmp_path / "panels.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": rules}]}))
    promtool = shutil.which("promtool")
    assert promtool, "promtool missing: `make promtool`"
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_panels_read_only_metrics_the_services_define() -> None:
    sources = "\n".join(
        path.read_text() for base in ("services", "shared") for path in (ROOT / base).rglob("*.py")
    )
    for expr in _expressions():
        for name in re.findall(r"\b(zuofeng_[a-z_]+)", expr):
            base = re.sub(r"_(total|count|sum|bucket)$", "", name)
            short = base.removeprefix("zuofeng_reporting_")
            assert f'"{base}"' in sources or f'"{short}"' in sources, name
