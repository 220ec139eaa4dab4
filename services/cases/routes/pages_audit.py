"""The auditor's page (`GET /audit`): the trail with filters, and the chain's check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.cases.context import Ctx
from services.cases.pages.audit_pages import entries
from services.cases.pages.rendering import is_english, refused, render
from shared.errors import Refusal
from shared.websession import PageCaller, require_page_role

router = APIRouter(include_in_schema=False)


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request, ctx: Ctx, session: PageCaller) -> HTMLResponse:
    english = is_english(request)
    q = request.query_params
    given = {k: (q.get(k) or "").strip()[:100] for k in ("case", "actor", "action")}
    before_text = q.get("before") or ""
    before = int(before_text) if before_text.isdigit() and len(before_text) < 10 else None
    try:
        require_page_role(session, "auditor")
        rows, more, verdict = await entries(
            ctx, session.principal, given, before, q.get("verify") == "1"
        )
    except Refusal as refusal:
        return refused(request, session, refusal, english)
    kept = {k: v for k, v in given.items() if v} | ({"lang": "en"} if english else {})
    context = {"rows": rows, "more": more, "verdict": verdict, "given": given, "kept": kept}
    return render(request, session, "audit.html", context, english)
