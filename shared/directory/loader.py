"""Load and validate the directory of units taking part in the campaign.

The directory is data (YAML shipped in this package), checked whole when loaded: a bad file
fails at start with a message naming the entry, never later inside a routing decision.
"""

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import yaml

from shared import configdir
from shared.directory.checks import (
    alias_index,
    below,
    check_acyclic,
    check_unit,
    entry_name,
    list_of,
    single_index,
    unique,
    validated,
)
from shared.directory.directory import Directory
from shared.directory.units import County, DirectoryError, Unit

PACKAGED_FILE = "dezhou.yaml"


def parse_directory(data: object) -> Directory:
    """Validate directory data (as read from YAML) and build the Directory.

    Raises DirectoryError naming the entry for an unknown supervisor or county code, a
    supervision cycle, a duplicate id or alias, a bad kind or level, or a missing city office.
    """
    if not isinstance(data, Mapping):
        raise DirectoryError("directory: expected a mapping with city, counties and units")
    city = validated(County, data.get("city"), "city")
    listed = enumerate(list_of(data, "counties"), 1)
    counties = [validated(County, c, f"county #{n}") for n, c in listed]
    unique([city, *counties], lambda c: c.code, "county code")
    units = unique(
        [validated(Unit, u, entry_name(u, i)) for i, u in enumerate(list_of(data, "units"))],
        lambda u: u.id,
        "unit id",
    )
    codes = {city.code, *(c.code for c in counties)}
    for unit in units.values():
        check_unit(unit, codes, city.code, units)
    directory = Directory(
        city=city,
        _counties=tuple(counties),
        _units=MappingProxyType(units),
        _below=MappingProxyType(below(units)),
        _single=MappingProxyType(single_index(units.values(), city.code)),
        _aliases=alias_index(units.values()),
    )
    check_acyclic(directory)
    return directory


def _parse_yaml(text: str, source: str) -> Directory:
    try:
        return parse_directory(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise DirectoryError(f"{source}: not valid YAML: {exc}") from None


@lru_cache(maxsize=1)
def _packaged_directory() -> Directory:
    text = resources.files("shared.directory").joinpath(PACKAGED_FILE).read_text("utf-8")
    return _parse_yaml(text, PACKAGED_FILE)


def load_directory(path: Path | None = None) -> Directory:
    """Load the directory from path; without one, the county configuration's directory.yaml
    (`shared.configdir`) or else the packaged Dezhou directory, each read once."""
    if path is None:
        county = configdir.file(configdir.DIRECTORY)
        return _packaged_directory() if county is None else _county_directory(county)
    return _read(path)


@lru_cache(maxsize=8)
def _county_directory(path: Path) -> Directory:
    return _read(path)


def _read(path: Path) -> Directory:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DirectoryError(f"{path}: cannot read: {exc.strerror}") from None
    return _parse_yaml(text, str(path))
