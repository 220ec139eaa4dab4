"""The campaign's problem list and measures as versioned data (problems.yaml) with a loader."""

from shared.taxonomy.loader import load_taxonomy, parse_taxonomy
from shared.taxonomy.models import (
    MEASURE_NUMBERS,
    NATIONAL_AREAS,
    Measure,
    Problem,
    Taxonomy,
    TaxonomyError,
)

__all__ = [
    "MEASURE_NUMBERS",
    "NATIONAL_AREAS",
    "Measure",
    "Problem",
    "Taxonomy",
    "TaxonomyError",
    "load_taxonomy",
    "parse_taxonomy",
]
