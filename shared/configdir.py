"""A county's own configuration directory (`ZUOFENG_CONFIG_DIR`): which of its files replace the
packaged ones. Paths only, so every loader can ask here without an import cycle; the checks
with file and line live in `shared.configcheck`.

The directory may hold any of these (a file left out falls back to the packaged one):

    directory.yaml            units, supervision lines, townships and villages
    routing.yaml              routing rules (services/cases/routing/rules.yaml's shape)
    deadline_profiles.yaml    merged over shared/deadline_profiles.yaml (a channel or a clock)
    holidays/*.yaml           holiday tables, one a year, over the packaged ones
    problems.yaml             the problem list (shared/taxonomy/problems.yaml's shape)

One process serves one county configuration: the service's settings name it and its context
activates it (`activate`), so the loaders called without a path (`load_directory()`, ...)
answer from it everywhere in that process.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "ZUOFENG_CONFIG_DIR"
DIRECTORY = "directory.yaml"
ROUTING = "routing.yaml"
PROFILES = "deadline_profiles.yaml"
HOLIDAYS = "holidays"
PROBLEMS = "problems.yaml"
NAMES = (DIRECTORY, ROUTING, PROFILES, HOLIDAYS, PROBLEMS)

_UNSET = Path("\0unset")
_active: Path | None = _UNSET


def activate(root: Path | str | None) -> Path | None:
    """Make `root` this process's configuration directory (None: the packaged files only)."""
    global _active
    _active = Path(root) if root is not None else None
    return _active


def deactivate() -> None:
    """Forget `activate`: back to `ZUOFENG_CONFIG_DIR` (tests restore with this)."""
    global _active
    _active = _UNSET


def active_root() -> Path | None:
    """The configuration directory in force: the activated one, else `ZUOFENG_CONFIG_DIR`."""
    if _active is not _UNSET:
        return _active
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


def file(name: str, root: Path | None = None) -> Path | None:
    """The county's `name` (a file or the holidays folder) when present, else None (packaged)."""
    root = root if root is not None else active_root()
    if root is None:
        return None
    path = root / name
    return path if path.exists() else None
