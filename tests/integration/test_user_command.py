"""`zuofeng user` on cases' database and the real bus: a generated password that signs in,
disabling ending the open session at once, a new password from stdin, each change audited
(never the password)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from services.cli import app as zuofeng
from shared.natsserver import NatsProcess
from tests.integration.busutil import eventually
from tests.integration.signin_util import password_step
from tests.integration.test_audit_records import audit_records
from tests.integration.test_cases_harness import Clock, cases_running, own_nats

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]


def _user(nats_url: str, var: Path, database_url: str, *args: str, stdin: str = "") -> Any:
    env = {"ZUOFENG_NATS_URL": nats_url, "ZUOFENG_VAR_DIR": str(var),
           "ZUOFENG_CASES_DATABASE_URL": database_url}  # fmt: skip
    return CliRunner().invoke(zuofeng, ["user", *args], env=env, input=stdin)


async def test_user_commands_end_sessions_and_are_audited(
    own_nats: NatsProcess, tmp_path: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'cases.db'}"
    async with cases_running(own_nats.url, database_url, tmp_path, Clock()) as running:

        async def user(*args: str, stdin: str = "") -> Any:
            return await asyncio.to_thread(_user, own_nats.url, tmp_path, database_url, *args,
                                           stdin=stdin)  # fmt: skip

        added = await user("add", "--login", "li.ming", "--unit", "371402-fpb", "--role",
                           "officer", "--name", "李明")  # fmt: skip
        assert added.exit_code == 0, added.output
        password = added.output.split("password: ")[1].split()[0]
        refused = await user("add", "--login", "x", "--unit", "371402-fpb", "--role",
                             "integrator", "--name", "X")  # fmt: skip
        assert refused.exit_code == 2
        http = running.http
        assert (await password_step(http, "li.ming", password)).status_code == 303
        assert (await http.get("/signin/done")).status_code == 200

        disabled = await user("disable", "li.ming")
        assert disabled.exit_code == 0, disabled.output
        assert (await http.get("/signin/done")).status_code == 303, "session ended at once"
        assert (await password_step(http, "li.ming", password)).status_code == 422

        reset = await user("reset-password", "li.ming", "--password-stdin",
                           stdin="a brand new password\n")  # fmt: skip
        assert reset.exit_code == 0 and "password:" not in reset.output
        listed = await user("list")
        assert '"login": "li.ming"' in listed.output and "argon2" not in listed.output

        found: list[tuple[bytes, Any]] = []

        async def recorded() -> bool:
            found[:] = await audit_records(running.js, "audit.account_changed")
            return len(found) >= 3

        await eventually(recorded, timeout=15)
        actions = [r["data"]["action"] for _, r in found]
        assert actions == ["add", "disable", "reset_password"]
        assert not any(password.encode() in raw or b"brand new" in raw for raw, _ in found)
