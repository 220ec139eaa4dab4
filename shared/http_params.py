"""Bounded query, path and body values for every HTTP API: what the database columns hold and
dates only as ISO dates, refused at the edge with the one 422 shape (`shared.http_errors`).

Unbounded integers reached PostgreSQL and overflowed (a 500); pydantic's lax dates read `0` as
a Unix timestamp. These types say the contract once, and the OpenAPI documents show the bounds.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

# PostgreSQL `integer` (the ids, problem codes and sequences our tables keep).
INT_MAX = 2**31 - 1
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_only(value: Any) -> Any:
    """A `date` or "YYYY-MM-DD" text; anything else (a number, a datetime text) is refused."""
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        return value
    # The type our zh-CN table (shared.errors.ZH) already names: "应为日期（YYYY-MM-DD）".
    raise PydanticCustomError("date_parsing", "Input should be a valid date (YYYY-MM-DD)")


IsoDate = Annotated[date, BeforeValidator(_iso_only)]
# An id or code a table keeps as `integer`.
DbInt = Annotated[int, Field(ge=0, le=INT_MAX)]
