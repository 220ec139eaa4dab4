"""A report sent from the page: the form read, checked as the API checks it, its files stored,
the report submitted through `submission.submit`, as `POST /api/v1/reports` does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import UploadFile

from services.intake.checks import check_report
from services.intake.context import Context
from services.intake.pages import files as page_files
from services.intake.pages.form import Errors, body_of, collect, merge, refusal_errors, validated
from services.intake.pages.words import words
from services.intake.routes.throttle import limit
from services.intake.schemas.report import ReportIn
from services.intake.submission import submit
from shared.deadlines import local_day
from shared.errors import Refusal


def checked(
    ctx: Context, form: dict[str, Any], uploads: list[UploadFile], english: bool,
    extra: dict[str, Any] | None = None,
) -> tuple[ReportIn | None, list[UploadFile], Errors]:  # fmt: skip
    """A form (the public one or the clerk's desk) checked as the API checks a body: the
    report, the files chosen, and every field's errors (pickers, schema, rules, files)."""
    body, picker_errors = body_of(ctx, form, words(english))
    report, schema_errors = validated(body | (extra or {}), english)
    errors = merge(picker_errors, schema_errors)
    if report is not None:
        found = check_report(ctx, report, local_day(ctx.clock()))
        errors = merge(errors, collect((loc, en if english else zh) for loc, zh, en in found))
    picked = page_files.chosen(uploads)
    if bad := page_files.file_errors(ctx, picked, english):
        errors = merge(errors, {"files": bad})
    return report, picked, errors


@dataclass
class Outcome:
    """A tracking code, or what to show on the form again."""

    code: str | None = None
    errors: Errors = field(default_factory=dict)
    status: int = 200


async def report_from_form(
    ctx: Context, request: Request, form: dict[str, Any], uploads: list[UploadFile], english: bool
) -> Outcome:
    limit(ctx, request, ctx.limiters.public)
    solved = ctx.challenges.accept(form.get("altcha", ""))
    report, picked, errors = checked(ctx, form, uploads, english)
    if errors or report is None:
        return Outcome(errors=errors, status=422)
    if not solved:
        limit(ctx, request, ctx.limiters.unsolved)  # no proof of work: the stricter rate
    try:
        report.attachments = await page_files.store(ctx, request, picked)
        accepted = await submit(ctx, report, idempotency_key=None, unit=None, transport="page")
    except Refusal as refusal:
        return Outcome(errors=refusal_errors(refusal, english), status=refusal.status)
    return Outcome(code=accepted.tracking_code)


def too_many(exc: HTTPException) -> Outcome:
    """A rate limit or quota reached: said on top of the form, which keeps what was typed."""
    return Outcome(errors={"form": [str(exc.detail)]}, status=exc.status_code)
