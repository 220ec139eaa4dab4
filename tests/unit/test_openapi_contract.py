"""The OpenAPI documents say what the services do (issue 19): which credentials each operation
takes, every refusal it can give with its body, the media types that are not JSON; and the
answers given really have the documented shape."""

from __future__ import annotations

import json
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from services.docs import docs_app
from shared.auth import issue_token

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "cases", "notify", "reporting")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def document(service: str) -> tuple[Any, dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = docs_app(service)
        return app, app.openapi()


def op(doc: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    return dict(doc["paths"][path][method])


@pytest.mark.parametrize("service", SERVICES)
def test_schemes_declared_and_applied_only_where_taken(service: str) -> None:
    _, doc = document(service)
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKeyAuth"]["name"] == "X-API-Key"
    for path in ("/healthz", "/readyz", "/metrics"):
        assert op(doc, path)["security"] == []
        assert "401" not in op(doc, path)["responses"]


def test_each_operation_says_its_credentials() -> None:
    _, cases = document("cases")
    listing = op(cases, "/api/v1/cases")
    assert listing["security"] == [{"bearerAuth": []}, {"apiKeyAuth": []}]
    assert {"401", "403", "404", "422", "503"} <= set(listing["responses"])
    _, intake = document("intake")
    assert op(intake, "/api/v1/problems")["security"] == []  # public
    # The web form takes no credential, the other channels do: optional.
    assert op(intake, "/api/v1/reports", "post")["security"][0] == {}
    assert {"413", "429"} <= set(op(intake, "/api/v1/reports", "post")["responses"])


def test_media_types_that_are_not_json() -> None:
    _, reporting = document("reporting")
    assert list(op(reporting, "/metrics")["responses"]["200"]["content"]) == ["text/plain"]
    export = op(reporting, "/api/v1/export/cases.{fmt}")["responses"]["200"]["content"]
    assert set(export) == {"text/csv", XLSX}


def test_open311_refusals_keep_georeport_shape() -> None:
    _, intake = document("intake")
    answers = op(intake, "/open311/v2/requests")["responses"]
    assert answers["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/InvalidInput")
    assert answers["400"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Open311Errors"
    )


def test_open311_xml_routes_answer_and_refuse_in_xml() -> None:
    """schemathesis' content_type_conformance: the .xml routes said application/json only."""
    _, intake = document("intake")
    for path in ("/open311/v2/services.xml", "/open311/v2/discovery.xml"):
        assert list(op(intake, path)["responses"]["200"]["content"]) == ["text/xml"]
    refusal = op(intake, "/open311/v2/requests.xml")["responses"]["400"]["content"]
    assert set(refusal) == {"text/xml", "application/json"}
    assert list(op(intake, "/open311/v2/requests.json")["responses"]["400"]["content"]) == [
        "application/json"
    ]


def _validates(doc: dict[str, Any], answer: Any, schema: dict[str, Any]) -> None:
    resolver_doc = {**schema, "components": doc["components"]}
    jsonschema.validate(answer, resolver_doc)


@pytest.mark.parametrize("service", ("cases", "notify", "reporting"))
def test_the_answers_given_have_the_documented_shape(service: str) -> None:
    app, doc = document(service)
    http = TestClient(app, raise_server_exceptions=False)
    path = next(
        p
        for p, ops in doc["paths"].items()
        if "{" not in p and (ops.get("get", {}).get("security") or [{}])[0] != {}
    )
    responses = op(doc, path)["responses"]
    unauthorised = http.get(path)
    assert unauthorised.status_code == 401
    schema = responses["401"]["content"]["application/json"]["schema"]
    _validates(doc, unauthorised.json(), schema)
    token = issue_token("docs-only", unit="city-fpb", role="clerk", sub="t", ttl=timedelta(hours=1))
    bad = http.get(f"{path}?limit=0", headers={"Authorization": f"Bearer {token}"})
    if bad.status_code == 422:
        _validates(doc, bad.json(), responses["422"]["content"]["application/json"]["schema"])
    with pytest.raises(jsonschema.ValidationError):
        _validates(doc, {"detail": 3}, schema)


@pytest.mark.parametrize("service", SERVICES)
def test_published_documents_validate(service: str) -> None:
    """docs/openapi-*.json against the OpenAPI specification (its own meta-schema), as
    integrators' generators read them; `make lint` lints them further (Redocly)."""
    published = json.loads((ROOT / "docs" / f"openapi-{service}.json").read_text())
    validate(published)
    broken = {**published, "paths": {"/x": {"get": {"responses": {"200": {}}}}}}
    with pytest.raises(OpenAPIValidationError):
        validate(broken)  # a response without its description
