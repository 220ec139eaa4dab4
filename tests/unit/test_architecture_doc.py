"""docs/architecture.md is the contract a county reads: every event type and every HTTP route
the code has must be named in it, so the document cannot silently fall behind the code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from services.catalog import PORTS
from services.docs import docs_app
from shared.events import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
# FastAPI's own documentation routes are not part of the contract.
FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


@pytest.fixture(scope="module")
def document() -> str:
    # Line breaks inside a backticked route are layout, not meaning.
    return re.sub(r"\s+", " ", (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"))


def api_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every APIRoute with its full path; FastAPI keeps included routers nested."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def routes(service: str) -> list[str]:
    found = []
    for path, route in api_routes(docs_app(service).routes):
        if path not in FRAMEWORK_ROUTES:
            found += [f"{method} {path}" for method in sorted(route.methods - {"HEAD"})]
    return found


def test_every_event_type_is_in_the_catalogue(document: str) -> None:
    missing = sorted({t for t, _ in REGISTRY if f"`{t}`" not in document})
    assert missing == [], f"event types missing from docs/architecture.md: {missing}"


@pytest.mark.parametrize("service", sorted(PORTS))
def test_every_route_is_named(service: str, document: str) -> None:
    names = routes(service)
    assert names, "the app has no routes: the check would prove nothing"
    missing = [name for name in names if name not in document]
    assert missing == [], f"{service} routes missing from docs/architecture.md: {missing}"


def test_readme_points_to_the_document() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/architecture.md" in readme
