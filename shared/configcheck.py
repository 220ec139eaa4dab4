"""Checks a county configuration directory (`shared.configdir`) file by file, reporting every
problem as `file:line: field: message` so an operator can go straight to it. The routing rules
are the cases service's: it checks them itself (`services/cases/routing/check.py`).

Each file is checked entry by entry first (every entry's pydantic errors, each on its line), then
whole, by the very loader the services use, so what passes here loads at start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from shared import configdir
from shared.deadlines.profiles import PROFILES_FILE, Profile, build_profiles, merge
from shared.directory.loader import parse_directory
from shared.directory.units import County, DirectoryError, Unit
from shared.holidays import YearTable
from shared.taxonomy.loader import parse_taxonomy
from shared.taxonomy.models import Measure, TaxonomyError
from shared.taxonomy.models import Problem as TaxonomyProblem
from shared.yamlmarks import Problem, YamlFile, read

QUOTED = re.compile(r"'([^']+)'")
ENTRY = re.compile(r"^(\w+)\[(\d+)\][^:]*:\s*(?:([\w.]+):\s*)?")
# Which field a directory message is about, by its words.
DIRECTORY_FIELDS = (
    ("county code", "county"),
    ("supervisor", "supervisors"),
    ("level", "level"),
    ("alias", "aliases"),
    ("kind", "kind"),
)


def check(root: Path) -> list[Problem]:
    """Every problem of the shared files in `root` (missing files are fine: packaged ones)."""
    if not root.is_dir():
        return [Problem(str(root), 1, "(directory)", "not a directory")]
    problems = [
        Problem(str(p), 1, "(file)", f"not a configuration file; expected one of {configdir.NAMES}")
        for p in sorted(root.iterdir())
        if p.name not in configdir.NAMES and p.suffix in (".yaml", ".yml")
    ]
    for name, checker in CHECKS.items():
        if (path := configdir.file(name, root)) is not None:
            problems += checker(path)
    return problems


def _entries(f: YamlFile, section: str, model: type[BaseModel]) -> list[Problem]:
    raw = f.data.get(section) if isinstance(f.data, Mapping) else None
    found: list[Problem] = []
    for index, entry in enumerate(raw if isinstance(raw, list) else []):
        try:
            model.model_validate(entry)
        except ValidationError as exc:
            found += f.validation(exc, (section, index))
    return found


def check_directory(path: Path) -> list[Problem]:
    f = read(path)
    if isinstance(f, Problem):
        return [f]
    found = _entries(f, "units", Unit) + _entries(f, "counties", County)
    if isinstance(f.data, Mapping) and isinstance(f.data.get("city"), Mapping):
        try:
            County.model_validate(f.data["city"])
        except ValidationError as exc:
            found += f.validation(exc, ("city",))
    if found:
        return found
    try:
        parse_directory(f.data)
    except DirectoryError as exc:
        return [_directory_problem(f, str(exc))]
    return []


def _directory_problem(f: YamlFile, message: str) -> Problem:
    """Place a whole-directory error on the unit it names (the last one with that id)."""
    units = f.data.get("units") if isinstance(f.data, Mapping) else None
    named = QUOTED.search(message)
    if named is None or not isinstance(units, list):
        return f.problem((), message)
    ids = [u.get("id") if isinstance(u, Mapping) else None for u in units]
    if named.group(1) not in ids:
        return f.problem(("units",), message)
    index = len(ids) - 1 - ids[::-1].index(named.group(1))
    field = next((fld for words, fld in DIRECTORY_FIELDS if words in message), "id")
    return f.problem(("units", index, field), message)


def check_taxonomy(path: Path) -> list[Problem]:
    f = read(path)
    if isinstance(f, Problem):
        return [f]
    found = _entries(f, "problems", TaxonomyProblem) + _entries(f, "measures", Measure)
    if found:
        return found
    try:
        parse_taxonomy(f.data)
    except TaxonomyError as exc:
        entry = ENTRY.match(str(exc))
        loc: list[str | int] = []
        if entry:
            loc = [entry.group(1), int(entry.group(2)), *(entry.group(3) or "").split(".")]
        return [f.problem([p for p in loc if p != ""], str(exc))]
    return []


def check_profiles(path: Path) -> list[Problem]:
    """The county's profiles merged over the packaged ones, errors placed on the county's file."""
    f = read(path)
    if isinstance(f, Problem):
        return [f]
    if not isinstance(f.data, Mapping):
        return [f.problem((), "must be a mapping (warn_days, clocks, channels)")]
    import yaml

    raw = merge(yaml.safe_load(PROFILES_FILE.read_text(encoding="utf-8")), f.data)
    base = {"warn_days": raw.get("warn_days", 3), "clocks": raw.get("clocks")}
    found: list[Problem] = []
    try:
        Profile.model_validate(base)
    except ValidationError as exc:
        found += f.validation(exc)
    for name, top in (raw.get("channels") or {}).items():
        if not isinstance(top, Mapping):
            found.append(f.problem(("channels", name), "must be a mapping of overrides"))
            continue
        try:
            Profile.model_validate({"name": name, **merge(base, top)})
        except ValidationError as exc:
            found += [_channel(f, name, e) for e in exc.errors()]
    if not found:
        build_profiles(raw)  # the services' own loader, for what the parts above cannot see
    return found


def _channel(f: YamlFile, name: str, error: Any) -> Problem:
    # An error in a channel's merged clock is the channel's if it sets that key, else the base's.
    inside = ("channels", name, *error["loc"])
    loc = inside if f.line(inside) != f.line(("channels", name)) else error["loc"]
    return f.problem(loc, f"channel {name}: {error['msg']}")


def check_holidays(folder: Path) -> list[Problem]:
    found: list[Problem] = []
    years: dict[int, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        f = read(path)
        if isinstance(f, Problem):
            found.append(f)
            continue
        try:
            table = YearTable.model_validate(f.data)
        except ValidationError as exc:
            found += f.validation(exc)
            continue
        if table.year in years:
            found.append(
                f.problem(("year",), f"a second table for {table.year}: {years[table.year]}")
            )
        years[table.year] = path
    return found


CHECKS: dict[str, Callable[[Path], list[Problem]]] = {
    configdir.DIRECTORY: check_directory,
    configdir.PROBLEMS: check_taxonomy,
    configdir.PROFILES: check_profiles,
    configdir.HOLIDAYS: check_holidays,
}
