"""A clock that `zuofeng demo` can move: real time plus an offset kept in `var/clock-offset`.

Tests move a service's clock by handing `create_app` a `now` of their own; a running system
(`make run`) gets this one instead, outside production, so the demo can walk a campaign year
through the public APIs. With no file the offset is 0: the clock is the real one."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

FILE = "clock-offset"


class MovableClock:
    """`now()` as the services read it; the file is read again only when it changed."""

    def __init__(self, var_dir: Path) -> None:
        self.path = Path(var_dir) / FILE
        self._seen: int | None = None
        self._offset = timedelta()

    def __call__(self) -> datetime:
        try:
            stamp = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            self._seen, self._offset = None, timedelta()
            return datetime.now(UTC)
        if stamp != self._seen:
            self._seen = stamp
            self._offset = _read(self.path)
        return datetime.now(UTC) + self._offset

    def move_to(self, moment: datetime) -> None:
        """Make every service reading this file see `moment` now (the demo's side)."""
        seconds = (moment - datetime.now(UTC)).total_seconds()
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(f"{seconds:.3f}\n", encoding="ascii")
        os.replace(temporary, self.path)  # readers never see half a number

    def reset(self) -> None:
        self.path.unlink(missing_ok=True)


def _read(path: Path) -> timedelta:
    try:
        return timedelta(seconds=float(path.read_text(encoding="ascii").strip() or 0))
    except (OSError, ValueError):
        return timedelta()
