"""The tracking page (`/track`): the code goes in a form's body, never in a URL, so no access
log holds it; the lookup and the review request are the API's own, rate-limited as it is."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from services.intake import feedback, reporter_view, review, survey
from services.intake.context import Context, Ctx
from services.intake.pages.form import collect
from services.intake.pages.rendering import is_english, render
from services.intake.routes.reports import NOT_FOUND, tracking_hash
from services.intake.schemas.report import FeedbackIn, ReviewIn
from shared.errors import Refusal

router = APIRouter(include_in_schema=False)


@router.get("/track", response_class=HTMLResponse)
async def track_page(request: Request) -> HTMLResponse:
    return render(request, "track.html", {"v": {}, "errors": {}}, is_english(request))


@router.post("/track", response_class=HTMLResponse)
async def look_up(request: Request, ctx: Ctx) -> HTMLResponse:
    values = await _fields(request)
    return await _answer(request, ctx, values, {})


@router.post("/track/review", response_class=HTMLResponse)
async def ask_review(request: Request, ctx: Ctx) -> HTMLResponse:
    values = await _fields(request)
    english = is_english(request, values)
    errors: dict[str, list[str]] = {}
    try:
        key = tracking_hash(ctx, request, values.get("code", ""))
        reason = ReviewIn.model_validate({"reason": values.get("reason", "")}).reason
        review.check_reason(ctx, reason)
        await review.request_review(ctx, key, reason)
        values["sent"] = "1"
    except Refusal as refusal:
        errors = collect(((p.loc or ("reason",)), p.text(english)) for p in refusal.problems)
    except ValueError:  # pydantic's: the reason is empty or not text
        errors = {"reason": ["请填写复查理由" if not english else "please give a reason"]}
    except HTTPException as exc:
        errors = {"reason": [str(exc.detail)]}
    return await _answer(request, ctx, values, errors)


@router.post("/track/feedback", response_class=HTMLResponse)
async def give_feedback(request: Request, ctx: Ctx) -> HTMLResponse:
    """The rating form (回访): the API's own checks, the refusals put back on its fields."""
    values = await _fields(request)
    english = is_english(request, values)
    errors: dict[str, list[str]] = {}
    try:
        key = tracking_hash(ctx, request, values.get("code", ""))
        body = {"rating": values.get("rating", ""), "comment": values.get("comment") or None}
        rated = FeedbackIn.model_validate(body)
        await feedback.give_feedback(ctx, key, rated.rating, rated.comment)
        values["rated"] = "1"
    except Refusal as refusal:
        errors = collect(((p.loc or ("rating",)), p.text(english)) for p in refusal.problems)
    except ValidationError as exc:
        errors = {str(e["loc"][0]): [_invalid(e["loc"][0], english)] for e in exc.errors()}
    except HTTPException as exc:
        errors = {"rating": [str(exc.detail)]}
    return await _answer(request, ctx, values, errors)


@router.get("/survey/{token}", response_class=HTMLResponse)
async def survey_page(token: str, request: Request, ctx: Ctx) -> HTMLResponse:
    """The 回访 SMS link: the rating form for the reply it names, nothing of the case."""
    english = is_english(request)
    try:
        asked = await survey.state(ctx, survey.read(ctx, token))
    except Refusal as refusal:
        return _survey(request, {}, {"token": [refusal.text(english)]}, english, None, 404)
    return _survey(request, {}, {}, english, asked, 200)


@router.post("/survey/{token}", response_class=HTMLResponse)
async def survey_rating(token: str, request: Request, ctx: Ctx) -> HTMLResponse:
    """The link's rating: the API's checks, once; a second use finds the survey closed."""
    values = await _fields(request)
    english = is_english(request, values)
    errors: dict[str, list[str]] = {}
    try:
        asked = await survey.state(ctx, survey.read(ctx, token))
    except Refusal as refusal:
        return _survey(request, values, {"token": [refusal.text(english)]}, english, None, 404)
    try:
        body = {"rating": values.get("rating", ""), "comment": values.get("comment") or None}
        rated = FeedbackIn.model_validate(body)
        await survey.rate(ctx, token, rated.rating, rated.comment)
        values["rated"] = "1"
        asked["open"] = False
    except Refusal as refusal:
        errors = collect(((p.loc or ("rating",)), p.text(english)) for p in refusal.problems)
        status = refusal.status
        return _survey(request, values, errors, english, asked | {"open": False}, status)
    except ValidationError as exc:
        errors = {str(e["loc"][0]): [_invalid(e["loc"][0], english)] for e in exc.errors()}
    return _survey(request, values, errors, english, asked, 422 if errors else 200)


def _survey(
    request: Request,
    values: dict[str, str],
    errors: dict[str, list[str]],
    english: bool,
    asked: dict[str, Any] | None,
    status: int,
) -> HTMLResponse:
    context = {"v": values, "errors": errors, "asked": asked}
    response = render(request, "survey.html", context, english, status)
    response.headers["referrer-policy"] = "no-referrer"  # the token stays off other sites' logs
    return response


def _invalid(field: object, english: bool) -> str:
    if field == "rating":
        return "please choose a rating" if english else "请选择评价"
    return "at most 2000 characters, text only" if english else "意见不超过 2000 字，且只能是文字"


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form(max_files=0, max_fields=10)
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def _answer(
    request: Request, ctx: Ctx, values: dict[str, str], errors: dict[str, list[str]]
) -> HTMLResponse:
    english = is_english(request, values)
    try:
        found = await _view(ctx, request, values.get("code", ""), english)
    except Refusal as refusal:
        return _page(request, values, {"code": [refusal.text(english)]}, english, 404)
    except HTTPException as exc:
        return _page(request, values, {"code": [str(exc.detail)]}, english, exc.status_code)
    context = {"v": values, "errors": errors, "found": found}
    return render(request, "track.html", context, english, 422 if errors else 200)


async def _view(ctx: Context, request: Request, code: str, english: bool) -> dict[str, Any]:
    key = tracking_hash(ctx, request, code)
    async with ctx.db.sessions() as session:
        found = await reporter_view.view(
            session, key, english, ctx.clock(), ctx.settings.feedback_window_days
        )
    if found is None:
        raise Refusal.not_found(*NOT_FOUND)
    return found


def _page(
    request: Request,
    values: dict[str, str],
    errors: dict[str, list[str]],
    english: bool,
    status: int,
) -> HTMLResponse:
    return render(request, "track.html", {"v": values, "errors": errors}, english, status)
