"""The directory of units taking part in the campaign, loaded from data (see dezhou.yaml)."""

from shared.directory.loader import (
    By,
    County,
    Directory,
    DirectoryError,
    Kind,
    Level,
    Supervision,
    Unit,
    load_directory,
    parse_directory,
)

__all__ = [
    "By",
    "County",
    "Directory",
    "DirectoryError",
    "Kind",
    "Level",
    "Supervision",
    "Unit",
    "load_directory",
    "parse_directory",
]
