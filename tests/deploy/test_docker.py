"""deploy/docker: hadolint finds nothing, and the image is what the issue asks (multi-stage,
non-root, no build tools at run time, healthcheck on /readyz); its entrypoint and healthcheck
scripts, run here."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "deploy" / "docker"
BIN = Path(sys.executable).parent


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, DOCKER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hadolint_finds_nothing() -> None:
    done = subprocess.run(
        [str(BIN / "hadolint"), "--failure-threshold", "style", str(DOCKER / "Dockerfile")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_image_is_multi_stage_slim_non_root_with_readyz_healthcheck() -> None:
    text = (DOCKER / "Dockerfile").read_text()
    stages = re.split(r"(?m)^FROM ", text)[1:]
    assert len(stages) == 2 and all("-slim" in s.split("\n", 1)[0] for s in stages)
    final = stages[-1]
    assert re.search(r"(?m)^USER 10001", final)
    assert not re.search(r"gcc|build-essential|apt-get install", final)
    assert "COPY --from=build /opt/zuofeng /opt/zuofeng" in final
    assert "HEALTHCHECK" in final and "healthcheck.py" in final
    assert "/readyz" in (DOCKER / "healthcheck.py").read_text()


def test_entrypoint_reads_settings_from_files_and_set_ones_win(tmp_path: Path) -> None:
    entry = _script("entrypoint")
    (tmp_path / "ZUOFENG_JWT_SECRET").write_text("s3cret\n")
    (tmp_path / "ZUOFENG_CASES_DATABASE_URL").write_text("postgresql+asyncpg://x")
    (tmp_path / "not-a-setting").write_text("ignored")
    env = entry.settings_from_files(tmp_path, {"ZUOFENG_CASES_DATABASE_URL": "set"})
    assert env["ZUOFENG_JWT_SECRET"] == "s3cret"
    assert env["ZUOFENG_CASES_DATABASE_URL"] == "set"
    assert "not-a-setting" not in env
    assert entry.settings_from_files(tmp_path / "none", {}) == {}


def test_healthcheck_finds_the_service_and_its_port() -> None:
    check = _script("healthcheck")
    cmd = ["/opt/zuofeng/bin/zuofeng", "serve", "cases"]
    assert check.service_of(cmd) == "cases"
    assert check.service_of(["zuofeng", "migrate"]) is None
    assert check.port_of("cases", {}) == 8002
    assert check.port_of("notify", {"ZUOFENG_NOTIFY_PORT": "9000"}) == 9000
