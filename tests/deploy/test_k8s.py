"""deploy/k8s: the base and each overlay, rendered by a small kustomize stand-in (kustomize is not
installable from PyPI or Debian here: resources, namespace, images and strategic-merge patches
matched by kind and name, containers merged by name), validated against the Kubernetes schemas
offline with kubernetes-validate (strict: no unknown field). Plus what the issue asks of them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES = "1.33.0"
Resource = dict[str, Any]


def _merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = _merge(base[key], value) if key in base else value
        return out
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(x, dict) and "name" in x for x in base + patch)
    ):
        by_name = {x["name"]: x for x in base}
        merged = [_merge(by_name[x["name"]], x) if x["name"] in by_name else x for x in patch]
        return merged + [x for x in base if x["name"] not in {p["name"] for p in patch}]
    return patch


def render(directory: Path) -> list[Resource]:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    resources: list[Resource] = []
    for entry in kustomization["resources"]:
        path = directory / entry
        if path.is_dir():
            resources += render(path)
        else:
            resources += [d for d in yaml.safe_load_all(path.read_text()) if d]
    for patch_entry in kustomization.get("patches", []):
        for patch in yaml.safe_load_all((directory / patch_entry["path"]).read_text()):
            key = (patch["kind"], patch["metadata"]["name"])
            targets = [r for r in resources if (r["kind"], r["metadata"]["name"]) == key]
            assert len(targets) == 1, f"{directory.name}: patch for {key} matches {targets}"
            resources[resources.index(targets[0])] = _merge(targets[0], patch)
    for image in kustomization.get("images", []):
        for resource in resources:
            for container in _containers(resource):
                name, _, _ = container["image"].partition(":")
                if name == image["name"]:
                    container["image"] = f"{image.get('newName', name)}:{image['newTag']}"
    for pair in kustomization.get("labels", []):
        for resource in resources:
            resource["metadata"].setdefault("labels", {}).update(pair["pairs"])
    if "namespace" in kustomization:
        for resource in resources:
            resource["metadata"]["namespace"] = kustomization["namespace"]
    return copy.deepcopy(resources)


def _containers(resource: Resource) -> list[dict[str, Any]]:
    spec = resource.get("spec", {}).get("template", {}).get("spec", {})
    return list(spec.get("containers", []))


TREES = {"base": K8S / "base", "city": K8S / "overlays/city", "county": K8S / "overlays/county"}


@pytest.mark.parametrize("tree", sorted(TREES))
def test_manifests_follow_the_kubernetes_schemas(tree: str) -> None:
    resources = render(TREES[tree])
    for resource in resources:
        kubernetes_validate.validate(resource, KUBERNETES, strict=True)
    if tree != "base":
        assert {r["metadata"]["namespace"] for r in resources} == {
            yaml.safe_load((TREES[tree] / "kustomization.yaml").read_text())["namespace"]
        }
        assert all(
            c["image"].startswith("registry.example.org/zuofeng:")
            for r in resources
            for c in _containers(r)
        )


def test_what_the_issue_asks_of_the_base() -> None:
    resources = render(TREES["base"])
    kinds: dict[str, set[str]] = {}
    for r in resources:
        kinds.setdefault(r["kind"], set()).add(r["metadata"]["name"])
    services = {f"zuofeng-{s}" for s in ("intake", "cases", "notify", "reporting", "federation")}
    assert kinds["Deployment"] == services
    assert kinds["HorizontalPodAutoscaler"] == {"zuofeng-cases", "zuofeng-notify"}
    assert kinds["PodDisruptionBudget"] == {"zuofeng-cases", "zuofeng-notify"}
    assert "zuofeng-migrate" in kinds["Job"] and kinds["NetworkPolicy"]
    for r in resources:
        if r["kind"] != "Deployment":
            continue
        (container,) = _containers(r)
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["resources"]["requests"] and container["resources"]["limits"]
        assert r["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
        # Secrets by reference only: mounted, never a literal value in the pod spec.
        for env in container.get("env", []):
            assert "SECRET" not in env["name"] and "PASSWORD" not in env["name"], env
    assert "Secret" not in kinds


def test_nats_chart_values_ask_for_a_cluster_of_three_with_jetstream_on_files() -> None:
    values = yaml.safe_load((K8S / "nats" / "values.yaml").read_text())
    assert values["config"]["cluster"] == {"enabled": True, "replicas": 3}
    assert values["config"]["jetstream"]["fileStore"]["enabled"] is True


def _matches(rule: dict[str, Any], path: str) -> bool:
    """Whether an Ingress path rule takes `path` (Kubernetes' Exact and Prefix semantics)."""
    wanted = rule["path"]
    if rule["pathType"] == "Exact":
        return path == wanted
    return path == wanted or path.startswith(wanted.rstrip("/") + "/")


def test_the_ingress_routes_each_page_and_hides_operations() -> None:
    ingress = next(r for r in render(K8S / "base") if r["kind"] == "Ingress")
    rules = ingress["spec"]["rules"][0]["http"]["paths"]

    def backend(path: str) -> str | None:
        # The longest matching path wins (Exact before Prefix at equal length).
        found = [r for r in rules if _matches(r, path)]
        found.sort(key=lambda r: (len(r["path"]), r["pathType"] == "Exact"), reverse=True)
        return found[0]["backend"]["service"]["name"] if found else None

    for path in ("/metrics", "/healthz", "/readyz", "/docs", "/openapi.json"):
        assert backend(path) is None, path  # nothing inside leaks out
    expected = {
        "/": "intake", "/report": "intake", "/track": "intake", "/desk/import": "intake",
        "/open311/v2/services.json": "intake", "/api/v1/reports/x": "intake",
        "/signin": "cases", "/workbench": "cases", "/case/abc": "cases", "/triage": "cases",
        "/inbox": "notify", "/inbox/read": "notify", "/api/v1/inbox": "notify",
        "/dashboard": "reporting", "/dashboard/alerts/1": "reporting",
        "/api/v1/stats": "reporting",
        "/api/v1/programmes": "federation", "/api/v1/programmes/stats.csv": "federation",
        "/api/v1/aid/status": "federation", "/api/v1/aid/applications/x/check": "federation",
        "/api/v1/villages": "federation", "/api/v1/schools/x/sponsors": "federation",
        "/api/v1/pairings": "federation", "/api/v1/homes": "federation",
        "/api/v1/activities": "federation", "/api/v1/selections/results": "federation",
        "/federation": "federation", "/federation/applications/x": "federation",
    }  # fmt: skip
    assert {path: backend(path) for path in expected} == expected


def test_only_federation_mounts_the_federation_key_and_it_is_reachable() -> None:
    resources = render(TREES["base"])
    for r in resources:
        if r["kind"] != "Deployment":
            continue
        volumes = r["spec"]["template"]["spec"].get("volumes", [])
        items = [i["key"] for v in volumes if "secret" in v for i in v["secret"].get("items", [])]
        has_key = any(key.startswith("federation.") for key in items)
        assert has_key == (r["metadata"]["name"] == "zuofeng-federation"), r["metadata"]["name"]
    deployment = next(r for r in resources if r["metadata"]["name"] == "zuofeng-federation")
    (container,) = _containers(deployment)
    env = {e["name"]: e for e in container["env"]}
    assert env["ZUOFENG_FEDERATION_KEYS_DIR"]["value"] == "/run/keys"
    assert env["ZUOFENG_FEDERATION_TRUSTED_PROXIES"]["valueFrom"]["configMapKeyRef"]["key"] == (
        "trusted_proxies"
    )
    settings = deployment["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"]
    assert settings == "zuofeng-federation"  # its own database URL, NATS user, index secret
    policy = next(r for r in resources if r["metadata"]["name"] == "zuofeng-services")
    ports = {p["port"] for p in policy["spec"]["ingress"][0]["ports"]}
    assert 8005 in ports
