"""Load and validate the versioned problem list and measures (problems.yaml).

Pure: the only I/O is reading the YAML file, and only when a loader is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from shared import configdir
from shared.taxonomy.models import Measure, Problem, Taxonomy, TaxonomyError


def parse_taxonomy(data: Any) -> Taxonomy:
    """Validate an already-parsed YAML document and build the taxonomy."""
    if not isinstance(data, Mapping):
        raise TaxonomyError("taxonomy: top level must be a mapping")
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise TaxonomyError("taxonomy: 'version' must be a non-empty string")
    problems = _entries(data.get("problems"), "problems", Problem, required=True)
    measures = _entries(data.get("measures", []), "measures", Measure, required=False)
    try:
        return Taxonomy(
            version=version,
            source=data.get("source"),
            problem_list=tuple(sorted(problems, key=lambda p: p.number)),
            measure_list=tuple(sorted(measures, key=lambda m: m.number)),
        )
    except ValidationError as exc:
        raise TaxonomyError(f"taxonomy: {_first_error(exc)}") from exc


def _entries(raw: Any, section: str, model: type[Any], required: bool) -> list[Any]:
    """Validate one list section entry by entry, so an error names the entry it is about."""
    if not isinstance(raw, list) or (required and not raw):
        raise TaxonomyError(f"{section}: must be a {'non-empty ' if required else ''}list")
    built: list[Any] = []
    seen: set[int] = set()
    for index, entry in enumerate(raw):
        where = _where(section, index, entry)
        if not isinstance(entry, Mapping):
            raise TaxonomyError(f"{where}: must be a mapping")
        try:
            item = model.model_validate(dict(entry))
        except ValidationError as exc:
            raise TaxonomyError(f"{where}: {_first_error(exc)}") from exc
        if item.number in seen:
            raise TaxonomyError(f"{where}: duplicate number {item.number}")
        seen.add(item.number)
        built.append(item)
    return built


def _where(section: str, index: int, entry: Any) -> str:
    number = entry.get("number") if isinstance(entry, Mapping) else None
    return f"{section}[{index}] (number {number})"


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(part) for part in err["loc"]) or "entry"
    return f"{field}: {err['msg']}"


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load the problem list from `path`; without one, the county configuration's problems.yaml
    (`shared.configdir`) or else the packaged one, each read once."""
    if path is None:
        county = configdir.file(configdir.PROBLEMS)
        return _default_taxonomy() if county is None else _county_taxonomy(county)
    return _load_file(Path(path))


@lru_cache(maxsize=8)
def _county_taxonomy(path: Path) -> Taxonomy:
    return _load_file(path)


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    text = resources.files(__package__).joinpath("problems.yaml").read_text(encoding="utf-8")
    return _parse_text(text, "problems.yaml")


def _load_file(path: Path) -> Taxonomy:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read ({exc.strerror})") from exc
    return _parse_text(text, str(path))


def _parse_text(text: str, name: str) -> Taxonomy:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{name}: invalid YAML ({exc})") from exc
    return parse_taxonomy(data)
