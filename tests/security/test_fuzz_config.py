"""The fuzz pass's exceptions stay narrow: schemathesis.toml lets valid input be refused only on
the operations it names (reference data, file content, opaque cursors, GeoReport's 400), and
every other operation of the four documents keeps positive_data_acceptance's defaults."""

from __future__ import annotations

import json
from pathlib import Path

import schemathesis
from schemathesis.config import SchemathesisConfig

from tests.security.test_fuzz import CONFIG

DOCS = Path(__file__).parents[2] / "docs"
DEFAULT = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
REFUSED_ANYWAY = {
    "POST /api/v1/reports": "422",
    "POST /api/v1/attachments": "422",
    "POST /api/v1/reports/import": "422",
    "POST /api/v1/webhooks": "422",
    "POST /api/v1/webhooks/{subscription_id}/redeliver": "422",
    "GET /api/v1/stats": "422",
    "GET /api/v1/export/stats.{fmt}": "422",
    "GET /api/v1/cases": "422",
    "POST /api/v1/data-requests": "422",
    "POST /api/v1/tasks": "422",
    "POST /api/v1/tasks/follow-up": "422",
}


def test_only_the_named_operations_accept_a_refusal_of_valid_input() -> None:
    config = SchemathesisConfig.from_path(str(CONFIG))
    assert config.projects.get_default().generation.allow_x00 is False
    seen = set()
    for service in ("intake", "cases", "notify", "reporting"):
        doc = json.loads((DOCS / f"openapi-{service}.json").read_text())
        schema = schemathesis.openapi.from_dict(doc, config=config)
        for result in schema.get_all_operations():
            op = result.ok()
            name = f"{op.method.upper()} {op.path}"
            checks = schema.config.checks_config_for(operation=op, phase="fuzzing")
            extra = "400" if op.path.startswith("/open311/") else REFUSED_ANYWAY.get(name)
            expected = sorted(DEFAULT + [extra]) if extra else DEFAULT
            assert sorted(checks.positive_data_acceptance.expected_statuses) == sorted(expected), (
                name
            )
            seen.add(name)
    assert set(REFUSED_ANYWAY) <= seen  # no stale name in the config
