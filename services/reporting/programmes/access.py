"""Who sees which counties' programme figures: the readers of the other aggregates and the
federation officers. A whole-city reader and any city-level unit (市妇联 among them) every
county; anyone else the county of its unit (a county federation's `<county>-fl`, which is not
in the directory, by its code). Programme figures count no accusation, so the county is the
fence, as in federation's own statistics."""

from __future__ import annotations

import re

from services.reporting.access import READERS, figures_in_view
from shared.auth import Principal
from shared.directory import Directory

PROGRAMME_READERS = (*READERS, "federation_officer")
_COUNTY_PREFIX = re.compile(r"^(\d{6})(-|$)")


def programme_counties(caller: Principal, directory: Directory) -> list[str]:
    every = [code for code, _ in directory.counties()]
    if caller.role in READERS and figures_in_view(caller, directory) is None:
        return every
    if caller.unit in directory:
        county: str | None = directory.unit(caller.unit).county
    else:
        found = _COUNTY_PREFIX.match(caller.unit)
        county = found.group(1) if found else None
    if county == directory.city_code:
        return every
    return [county] if county in every else []
