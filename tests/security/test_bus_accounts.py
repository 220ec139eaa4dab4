"""`zuofeng bus accounts` output on the real bundled nats-server: the security issue's whole
permission matrix (tests/security/test_bus_permissions.py, its cases and tests re-run here)
holds on the written configuration, whose passwords are bcrypt hashes only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from typer.testing import CliRunner

from services.cli import app
from shared.natsserver import NatsProcess, start_nats
from tests.security.test_bus_permissions import (  # noqa: F401 - re-run on this module's server
    COUNTIES,
    USERS,
    Login,
    login,
    test_a_record_written_without_the_signing_key_is_rejected,
    test_an_integrator_sees_nothing_of_another_county,
    test_no_service_or_integrator_changes_streams_or_writes_keys,
    test_only_admin_changes_the_bus,
    test_publish,
    test_subscribe,
)

pytestmark = pytest.mark.integration


def _accounts(out: Path, *extra: str) -> dict[str, str]:
    """Run the command as an operator would; the users' passwords from their credentials."""
    counties = [arg for county in COUNTIES for arg in ("--county", county)]
    result = CliRunner().invoke(
        app, ["bus", "accounts", str(out), *counties, "--cost", "10", *extra]
    )
    assert result.exit_code == 0, result.output
    passwords = {}
    for file in (out / "credentials").glob("*.url"):
        password = urlsplit(file.read_text().split(",")[0]).password
        assert password
        passwords[file.stem] = unquote(password)
    return passwords


@pytest.fixture(scope="module")
def fenced(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[NatsProcess, dict[str, str]]]:
    """The matrix's server, started on what `zuofeng bus accounts` wrote (replaces the
    launcher's block of test_bus_permissions)."""
    base = tmp_path_factory.mktemp("accounts")
    passwords = _accounts(base / "out")
    server = start_nats(base / "nats", authorization=(base / "out" / "auth.conf").read_text())
    yield server, passwords
    server.stop()


def test_no_password_in_the_servers_file(tmp_path: Path) -> None:
    passwords = _accounts(tmp_path, "--url", "nats://n1:4222", "--url", "nats://n2:4222")
    assert set(passwords) == set(USERS)
    conf = (tmp_path / "auth.conf").read_text()
    users = json.loads(conf[conf.index("{") :])["users"]
    assert [u["user"] for u in users] == list(USERS)
    assert all(u["password"].startswith("$2a$10$") for u in users)
    assert not any(password in conf for password in passwords.values())
    for path in [tmp_path / "auth.conf", *(tmp_path / "credentials").iterdir()]:
        assert path.stat().st_mode & 0o077 == 0, path
    urls = (tmp_path / "credentials" / "cases.url").read_text().strip().split(",")
    assert [urlsplit(u).hostname for u in urls] == ["n1", "n2"]
    # Running it again keeps every password (services keep their URLs) with new salts.
    assert _accounts(tmp_path) == passwords
    assert (tmp_path / "auth.conf").read_text() != conf


async def test_the_matrix_ran_on_the_written_file(
    fenced: tuple[NatsProcess, dict[str, str]],
    login: Login,  # noqa: F811 - the fixture imported above
) -> None:
    server, _ = fenced
    conf = (server.store.parent / "nats.conf").read_text()
    assert "Written by `zuofeng bus accounts`" in conf and "$2a$10$" in conf
    # The matrix's connections are to this server (the fixture above replaced the launcher's).
    client = await login("cases")
    assert client.connected_url is not None and client.connected_url.port == server.port
