"""The long commands' progress bar (shared.progress): told done-of-total as the work goes, and
drawn on stderr only when stderr is a terminal, so a test or a pipe reads stdout unchanged."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from services.cli import app, backup
from shared import progress


def _databases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    services = ["intake", "cases", "notify"]
    for service in services:
        path = tmp_path / f"{service}.db"
        with sqlite3.connect(path) as db:
            db.execute("create table t (x)")
            db.execute("insert into t values (1)")
        monkeypatch.setenv(f"ZUOFENG_{service.upper()}_DATABASE_URL", f"sqlite:///{path}")
    return services


def test_db_backup_reports_databases_done_of_total(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = _databases(tmp_path, monkeypatch)
    seen: list[tuple[str, int, int]] = []

    @contextmanager
    def recording(what: str) -> Iterator[progress.Update]:
        yield lambda done, total: seen.append((what, done, total))

    monkeypatch.setattr(backup, "bar", recording)
    result = CliRunner().invoke(app, ["db", "backup", str(tmp_path / "out"), *services])
    assert result.exit_code == 0, result.output
    what = "db backup (databases)"
    assert seen == [(what, 0, 3), (what, 1, 3), (what, 2, 3), (what, 3, 3)]
    assert (tmp_path / "out" / "notify.sqlite").exists()


def test_without_a_terminal_the_bar_leaves_the_output_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = _databases(tmp_path, monkeypatch)
    result = CliRunner().invoke(app, ["db", "backup", str(tmp_path / "out"), *services])
    assert result.exit_code == 0, result.output
    assert result.output == "".join(f"{s}: backed up\n" for s in services)


def test_quiet_turns_the_bar_off_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich: stderr counts as a terminal
    drawn: list[bool] = []

    class Recorded(progress.Progress):
        def __init__(self, *columns: Any, disable: bool, **options: Any) -> None:
            drawn.append(not disable)
            super().__init__(*columns, disable=True, **options)

    monkeypatch.setattr(progress, "Progress", Recorded)
    monkeypatch.setattr(progress, "quiet", False)
    with progress.bar("x"):
        pass
    result = CliRunner().invoke(app, ["--quiet", "config", "--help"])
    assert result.exit_code == 0, result.output
    with progress.bar("x"):
        pass
    assert drawn == [True, False]
