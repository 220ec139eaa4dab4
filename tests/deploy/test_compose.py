"""deploy/compose: valid against the Compose specification's schema (check-jsonschema's vendored
copy, offline), no secret written in it, every secret file it names made by secrets.sh, and the
layout the issue asks for."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose"
BIN = Path(sys.executable).parent
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY$|DATABASE_URL|NATS_URL")


def _compose() -> dict[str, Any]:
    return yaml.safe_load((COMPOSE / "compose.yaml").read_text())


def test_compose_file_follows_the_compose_specification() -> None:
    done = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE / "compose.yaml"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_secret_in_the_compose_text() -> None:
    for name, service in _compose()["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key):
                assert key.endswith("_FILE"), f"{name}: {key} must come from a secret file"
                assert str(value).startswith("/run/secrets/"), (name, key)


def test_secrets_sh_makes_every_secret_file_compose_names(tmp_path: Path) -> None:
    shutil.copy(COMPOSE / "secrets.sh", tmp_path)
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "PYTHONPATH": str(ROOT),
        "NATS_BCRYPT_COST": "10",
    }
    done = subprocess.run(
        ["sh", "secrets.sh"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    for name, secret in _compose()["secrets"].items():
        path = tmp_path / secret["file"]
        assert path.is_file(), name
        assert path.stat().st_mode & 0o077 == 0, name
    nats = tmp_path / "secrets" / "nats"
    users = (nats / "auth.conf").read_text()
    assert '"user": "cases"' in users and "permissions" in users
    assert '"user": "leaf-371402"' in users  # the county leaves' link users
    # Federation's own user, fenced to the FEDERATION subjects (see test_bus_permissions).
    assert '"user": "federation"' in users and '"zuofeng.v1.*.federation.>"' in users
    assert (tmp_path / "secrets" / "keys" / "federation.key").stat().st_mode & 0o077 == 0
    # `zuofeng bus accounts`: bcrypt hashes in the server's file, never a password.
    password = urlsplit((nats / "credentials" / "cases.url").read_text().split(",")[0]).password
    assert password and password not in users and '"$2a$10$' in users
    assert "@localhost:7422" in (nats / "leaf-371402.conf").read_text()  # the hub's leaf port
    # Running it again keeps every secret as it was.
    before = {p: p.read_text() for p in (tmp_path / "secrets" / "jwt_secret",
                                          nats / "credentials" / "cases.url")}  # fmt: skip
    subprocess.run(["sh", "secrets.sh"], cwd=tmp_path, env=env, check=True, capture_output=True)
    assert {p: p.read_text() for p in before} == before


def test_layout_nats_cluster_one_database_per_service_replicas() -> None:
    services = _compose()["services"]
    assert {f"nats-{n}" for n in (1, 2, 3)} <= services.keys()
    nats = (COMPOSE / "nats" / "nats.conf").read_text()
    assert "jetstream" in nats and "sync_interval: always" in nats
    assert "domain: city" in nats and "leafnodes" in nats  # county leaves (shared/natsleaf)
    assert all(f"nats-route://nats-{n}:6222" in nats for n in (1, 2, 3))
    assert services["cases"]["deploy"]["replicas"] == 2
    assert services["notify"]["deploy"]["replicas"] == 2
    init = (COMPOSE / "postgres" / "init-databases.sh").read_text()
    assert "for service in intake cases notify reporting federation" in init
    for app in ("intake", "cases", "notify", "reporting", "federation"):
        assert services[app]["command"] == ["serve", app]
        assert services[app]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    for config in _compose()["configs"].values():
        assert (COMPOSE / config["file"]).is_file(), config


def _secret_targets(service: dict[str, Any]) -> dict[str, str]:
    return {s["source"]: s["target"] for s in service.get("secrets", []) if isinstance(s, dict)}


def test_federation_runs_with_least_privilege() -> None:
    """Its own database role and URL, its own NATS user, and the federation key pair mounted in
    federation alone (no other service can open the aid applications' sealed details)."""
    compose = _compose()
    services = compose["services"]
    federation = _secret_targets(services["federation"])
    assert federation["federation_database_url"] == "ZUOFENG_FEDERATION_DATABASE_URL"
    assert federation["federation_nats_url"] == "ZUOFENG_NATS_URL"
    assert federation["federation_index_secret"] == "ZUOFENG_FEDERATION_INDEX_SECRET"
    assert federation["federation_key"] == "/run/secrets/keys/federation.key"
    assert federation["notify_pub"] == "/run/secrets/keys/notify.pub"  # applicants' contacts
    assert "notify_key" not in federation
    assert services["federation"]["environment"]["ZUOFENG_FEDERATION_KEYS_DIR"] == (
        "/run/secrets/keys"
    )
    # The proxy's address: the rate limits key on the client it forwards.
    proxy = services["proxy"]["networks"]["backend"]["ipv4_address"]
    assert services["federation"]["environment"]["ZUOFENG_FEDERATION_TRUSTED_PROXIES"] == proxy
    assert compose["secrets"]["federation_nats_url"]["file"].endswith("credentials/federation.url")
    for name, service in services.items():
        mounted = _secret_targets(service)
        if name != "federation":
            assert not {"federation_key", "federation_pub", "federation_index_secret",
                        "federation_nats_url"} & mounted.keys(), name  # fmt: skip
        if name not in ("federation", "migrate"):
            assert "federation_database_url" not in mounted, name
    assert "federation" in services["proxy"]["depends_on"]
    scrape = yaml.safe_load((COMPOSE / "prometheus" / "prometheus.yml").read_text())
    targets = scrape["scrape_configs"][0]["dns_sd_configs"]
    assert {"names": ["federation"], "type": "A", "port": 8005} in targets
