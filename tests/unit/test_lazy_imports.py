"""What a service's process imports at start (issue 27: ≤ 110 MB RSS per service idle).

Libraries that only an export, a briefing, a letter, a rare sign-in, a migration or another
CLI command needs are imported inside the function that needs them, so they cost memory only
in the process that uses them. Each check runs in a fresh interpreter (this test process has
imported much more), and names the module that brought a library in, so a regression says
where to look."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SERVICES = ["intake", "cases", "notify", "reporting", "federation"]
# Never at a service's start: files on demand (XLSX, PDF, Word), migrations, the CLI's
# framework, test tools, OIDC's client (Authlib) and the TOTP enrolment's QR code.
LAZY = [
    "openpyxl",
    "fpdf",
    "docx",
    "pypdf",
    "alembic",
    "typer",
    "hypothesis",
    "schemathesis",
    "playwright",
    "authlib",
    "segno",
]
# The serve command itself is typer's (that one is allowed there); still nothing else.
LAZY_WHEN_SERVED = [name for name in LAZY if name != "typer"]

# Records, for each top-level package imported, the module whose import brought it in.
PROBE = """
import builtins, json, sys
first = {}
real = builtins.__import__
def spy(name, globals=None, locals=None, fromlist=(), level=0):
    top = name.split(".")[0]
    if level == 0 and top not in sys.modules and top not in first:
        first[top] = (globals or {}).get("__name__", "?")
    return real(name, globals, locals, fromlist, level)
builtins.__import__ = spy
"""


def _imported(code: str) -> dict[str, str]:
    script = PROBE + code + "\nprint(json.dumps({k: first.get(k, '?') for k in sys.modules}))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _offending(modules: dict[str, str], names: list[str]) -> dict[str, str]:
    return {name: modules.get(name, "?") for name in names if name in modules}


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_app_imports_no_library_only_a_rare_path_needs(service: str) -> None:
    modules = _imported(f"import services.{service}.main")
    assert f"services.{service}.main" in modules  # the probe saw the import
    assert _offending(modules, LAZY) == {}  # library -> the module that imported it


@pytest.mark.parametrize("service", SERVICES)
def test_serving_a_service_builds_no_other_command(service: str) -> None:
    """`zuofeng serve <service>` as the launcher starts it (up to uvicorn, stopped at --help):
    the serve command's app, not every command's (alembic, the other services' CLIs)."""
    code = f"""
import sys
from pathlib import Path
sys.argv = ["zuofeng", "serve", "--help"]
from services.cli import main
try:
    main()
except SystemExit:
    pass
import services.{service}.main
"""
    modules = _imported(code)
    assert "services.cli.serve" in modules
    assert "services.cli.commands" not in modules
    assert _offending(modules, LAZY_WHEN_SERVED) == {}


def test_the_whole_command_is_still_there_for_everything_else() -> None:
    """`from services.cli import app` (the tests' way in) is the whole command."""
    from services.cli import app

    names = {command.name or command.callback.__name__ for command in app.registered_commands}
    groups = {group.name for group in app.registered_groups}
    assert {"run", "serve", "migrate", "token"} <= names
    assert {"bus", "db", "dlq", "cases", "reporting"} <= groups


# `make run`'s launcher lives as long as the services and only supervises them: the streams,
# migrations and demo accounts are a short-lived child's (services.launch_setup), and honcho's
# watcher processes (multiprocessing) are gone.
LAUNCHER_NEVER = [
    "honcho",
    "multiprocessing",
    "pydantic",
    "sqlalchemy",
    "alembic",
    "nats",
    "typer",
    "fastapi",
    "urllib.request",
]


def test_the_launcher_imports_only_what_supervises() -> None:
    """`zuofeng run` as `make run` starts it, up to the launcher's module (not launched)."""
    code = """
import sys
from pathlib import Path
sys.argv = ["zuofeng", "run"]
import services.cli
import services.launcher
"""
    modules = _imported(code)
    assert "services.launcher" in modules
    assert _offending(modules, LAUNCHER_NEVER) == {}
    assert "services.launch_setup" not in modules


@pytest.mark.parametrize("service", SERVICES)
def test_a_served_app_leaves_out_what_libraries_import_only_if_installed(
    service: str, tmp_path: Path
) -> None:
    """`zuofeng serve <service>` up to uvicorn (stubbed: it returns at once): nats-py's
    websocket transport (aiohttp) and httpx's command-line tool (pygments) stay out, and so does
    everything else in LAZY_WHEN_SERVED."""
    code = f"""
import os, sys
os.environ["ZUOFENG_VAR_DIR"] = {str(tmp_path / "var")!r}
os.environ["ZUOFENG_NATS_URL"] = "nats://127.0.0.1:9"  # not connected before uvicorn starts
import uvicorn
uvicorn.run = lambda app, **options: None
sys.argv = ["zuofeng", "serve", "{service}"]
from services.cli import main
try:
    main()
except SystemExit as stop:
    assert not stop.code, stop.code
assert "services.{service}.main" in sys.modules
"""
    modules = _imported(code)
    assert _offending(modules, ["aiohttp", "pygments", *LAZY_WHEN_SERVED]) == {}
