"""A listing page's filters read from its query string: empty fields mean "any", and a value
that cannot be read is ignored (a page never answers a bad filter with an error page)."""

from __future__ import annotations

from datetime import date

from fastapi import Request

from services.cases.pages.workbench import Filters


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 6 else None


def filters_of(request: Request) -> tuple[Filters, int]:
    """The filters and the page number the query string asks for."""
    q = request.query_params

    def text(name: str, most: int = 64) -> str | None:
        value = (q.get(name) or "").strip()
        return value[:most] or None

    filters = Filters(
        status=text("status"),
        problem=_number(q.get("problem")),
        county=text("county", 6),
        channel=text("channel", 16),
        date_from=_day(q.get("from")),
        date_to=_day(q.get("to")),
        q=text("q", 200),
    )
    return filters, max(1, min(_number(q.get("page")) or 1, 10_000))
