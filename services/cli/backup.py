"""`zuofeng bus backup|restore` and `zuofeng db backup|restore`: what a restore drill needs.

Streams go through the server's snapshot API (shared.streambackup) as the NATS admin; each
service's database through PostgreSQL's own pg_dump/pg_restore (custom format), found by its
`ZUOFENG_<SERVICE>_DATABASE_URL`. Take both while the services are stopped: a database and the
streams copied at different moments of a busy system disagree (see docs/operations.md)."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.engine import URL, make_url

from services.cli.common import settings
from shared import migrate
from shared.bus import connect
from shared.progress import bar
from shared.streambackup import BackupError, backup_stream, restore_stream, stream_names

db_app = typer.Typer(help="Each service's database: backup and restore.", no_args_is_help=True)
Services = Annotated[list[str] | None, typer.Argument(help="services (default: all four)")]
Streams = Annotated[list[str] | None, typer.Option("--stream", help="only these (repeatable)")]


def bus_backup(directory: Path, stream: Streams = None) -> None:
    """Snapshot every stream (or the named ones) with its consumers into DIRECTORY/<stream>/."""

    async def go() -> dict[str, Any]:
        nc = await connect(settings().resolved_nats_url(), "zuofeng-cli-backup")
        try:
            taken = {}
            names = stream or await stream_names(nc)
            with bar("bus backup (streams)") as update:
                update(0, len(names))
                for name in names:
                    taken[name] = await backup_stream(nc, name, directory / name)
                    typer.echo(f"{name}: {taken[name]['messages']} messages")
                    update(len(taken), len(names))
            return taken
        finally:
            await nc.close()

    taken = _or_exit(go())
    (directory / "streams.json").write_text(json.dumps(taken, indent=2))


def bus_restore(directory: Path, stream: Streams = None) -> None:
    """Restore the streams of a `bus backup` (with their consumers) into a fresh NATS; then run
    `zuofeng bus init` for settings newer than the backup."""
    names = stream or sorted(json.loads((directory / "streams.json").read_text()))

    async def go() -> None:
        nc = await connect(settings().resolved_nats_url(), "zuofeng-cli-restore")
        try:
            with bar("bus restore (streams)") as update:
                update(0, len(names))
                for done, name in enumerate(names, 1):
                    state = await restore_stream(nc, directory / name)
                    typer.echo(f"{name}: {state['messages']} messages, last {state['last_seq']}")
                    update(done, len(names))
        finally:
            await nc.close()

    _or_exit(go())


def _or_exit(work: Any) -> Any:
    try:
        return asyncio.run(work)
    except BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


@db_app.command("backup")
def db_backup(directory: Path, services: Services = None) -> None:
    """Dump each service's database into DIRECTORY/<service>.dump (pg_dump -Fc)."""
    directory.mkdir(parents=True, exist_ok=True)
    chosen = services or list(migrate.SERVICES)
    with bar("db backup (databases)") as update:
        update(0, len(chosen))
        for done, service in enumerate(chosen, 1):
            url = _url(service)
            if url.drivername.startswith("sqlite"):
                _sqlite_copy(Path(str(url.database)), directory / f"{service}.sqlite")
            else:
                _pg("pg_dump", url, "--format=custom", f"--file={directory / f'{service}.dump'}")
            typer.echo(f"{service}: backed up")
            update(done, len(chosen))


@db_app.command("restore")
def db_restore(directory: Path, services: Services = None) -> None:
    """Restore each service's dump into its (new, empty) database; then `zuofeng migrate`."""
    chosen = services or list(migrate.SERVICES)
    with bar("db restore (databases)") as update:
        update(0, len(chosen))
        for done, service in enumerate(chosen, 1):
            url = _url(service)
            if url.drivername.startswith("sqlite"):
                _sqlite_copy(directory / f"{service}.sqlite", Path(str(url.database)))
            else:
                # --no-owner: the objects belong to the role restoring them (the service's own).
                _pg("pg_restore", url, "--no-owner", "--exit-on-error",
                    str(directory / f"{service}.dump"))  # fmt: skip
            typer.echo(f"{service}: restored")
            update(done, len(chosen))


def _url(service: str) -> URL:
    database_url = settings(service).database_url
    if database_url is None:
        raise typer.BadParameter(f"no database URL for {service}")
    return make_url(database_url)


def _pg(program: str, url: URL, *args: str) -> None:
    """Run a PostgreSQL client on the service's database; the password goes by environment,
    not the command line (which other users of the machine can read)."""
    env = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
    where = [f"--host={url.host or '127.0.0.1'}", f"--port={url.port or 5432}"]
    who = [f"--username={url.username}"] if url.username else []
    done = subprocess.run(
        [program, *where, *who, f"--dbname={url.database}", *args],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        typer.echo(f"{program} {url.database}: {done.stderr.strip()}", err=True)
        raise typer.Exit(1)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup (`make run`): consistent even while a service writes."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
