"""PostgreSQL for tests: the configured one, the local server, or a container; throwaway
databases; and a private instance from Debian's binaries that a test may stop and start."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

T = TypeVar("T")
LOCAL_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def in_thread(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a loop of its own (callable from sync fixtures)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _can_connect(dsn: str) -> bool:
    try:
        conn = await asyncpg.connect(dsn, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:  # noqa: BLE001 - no engine is the common case here
        return False


def _admin_dsn(url: str) -> str:
    """asyncpg DSN for the maintenance database of the server a URL points at."""
    parsed = make_url(url).set(drivername="postgresql", database="postgres")
    return parsed.render_as_string(hide_password=False)


async def find_admin_dsn() -> tuple[str | None, object | None]:
    """(admin DSN, container to stop) or (None, None) when no PostgreSQL is reachable."""
    configured = os.environ.get("ZUOFENG_TEST_DATABASE_URL")
    if configured:
        return _admin_dsn(configured), None
    if await _can_connect(LOCAL_ADMIN):
        return LOCAL_ADMIN, None
    if _docker_answers():
        from testcontainers.community.postgres import PostgresContainer

        container = PostgresContainer("postgres:16-alpine", driver=None).start()
        return container.get_connection_url(), container
    return None, None


@dataclass
class PgServer:
    """One PostgreSQL server on which tests create and drop throwaway databases."""

    admin_dsn: str
    created: list[str] = field(default_factory=list)

    async def create_database(self) -> str:
        name = f"zuofeng_test_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        self.created.append(name)
        url = make_url(self.admin_dsn).set(drivername="postgresql+asyncpg", database=name)
        return url.render_as_string(hide_password=False)

    async def drop_all(self) -> None:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            for name in self.created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivatePostgres:
    """A PostgreSQL instance of the test's own (never the machine's shared one)."""

    def __init__(self, *, durable: bool = False) -> None:
        # Tests skip fsync (speed); a benchmark keeps the stock settings, as in production.
        self.durable = durable
        if not (PG_BIN / "initdb").exists():
            raise FileNotFoundError(f"{PG_BIN}/initdb not found (Debian postgresql package)")
        # pytest's tmp dirs are 0700 for root: the postgres user needs a dir it can enter.
        self.base = Path(tempfile.mkdtemp(prefix="zuofeng-pg-"))
        self.base.chmod(0o755)
        self.data = self.base / "data"
        self.port = free_port()
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_postgres:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    async def create_databases(self, names: Iterable[str]) -> dict[str, str]:
        """One empty database per name; their SQLAlchemy URLs by name."""
        names = list(names)
        conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres")
        try:
            for name in names:
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return {
            name: f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{name}" for name in names
        }

    def _run(self, *args: object) -> None:
        subprocess.run([*self._as_postgres, *map(str, args)], check=True, capture_output=True)

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
        if not self.durable:
            opts += " -c fsync=off"
        self._run(
            PG_BIN / "pg_ctl", "-D", self.data, "-o", opts, "-l", self.base / "log", "-w", "start"
        )

    def stop(self) -> None:
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            probe = subprocess.run(
                [PG_BIN / "pg_isready", "-h", "127.0.0.1", "-p", str(self.port)],
                capture_output=True,
            )
            if probe.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("private PostgreSQL did not become ready")
