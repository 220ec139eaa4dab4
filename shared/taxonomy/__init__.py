"""The campaign's problem list and measures as versioned data (problems.yaml) with a loader."""

from shared.taxonomy.loader import (
    MEASURE_NUMBERS,
    NATIONAL_AREAS,
    Measure,
    Problem,
    Taxonomy,
    TaxonomyError,
    load_taxonomy,
    parse_taxonomy,
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
