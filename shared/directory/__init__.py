"""The directory of units taking part in the campaign, loaded from data (see dezhou.yaml)."""

from shared.directory.directory import Directory
from shared.directory.loader import load_directory, parse_directory
from shared.directory.units import By, County, DirectoryError, Kind, Level, Supervision, Unit

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
