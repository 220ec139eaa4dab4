"""The import contracts (services independent, `shared` imports no service) and fresh docs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from services.catalog import PORTS
from services.docs import render

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken" in result.stdout


def test_generated_docs_are_current() -> None:
    """`zuofeng docs` output is committed; this fails when the code moved on without it."""
    stale = []
    for service in PORTS:
        for name, content in render(service).items():
            path = ROOT / "docs" / name
            if not path.exists() or json.loads(path.read_text()) != json.loads(content):
                stale.append(name)
    assert stale == [], f"run `make docs` and commit: {stale}"
