"""Written notices' print queue over HTTP (书面告知, issue 22): the letters the caller's unit
prints, each one as a PDF (the reporter's postal address opened for it), and marking them
printed. For clerks and the city office; a unit sees the letters of the reports its clerks
took, the city office every one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from services.notify.context import Ctx
from services.notify.letters import queue
from shared.auth import Caller, require_role

router = APIRouter(prefix="/api/v1", tags=["notify"])
LetterId = Annotated[str, Path(min_length=36, max_length=36)]


async def _printers(caller: Caller) -> None:
    """403 for other roles before a body is read (its validation tells them nothing)."""
    require_role(caller, *queue.PRINTERS)


class PrintedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[Annotated[str, Field(min_length=36, max_length=36)]] = Field(
        min_length=1, max_length=200
    )


@router.get("/letters")
async def list_letters(
    ctx: Ctx,
    caller: Caller,
    printed: bool | None = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,6}$")] = None,
) -> dict[str, Any]:
    """The print queue of the caller's unit, oldest first: letters not printed yet (default),
    `printed=true` those printed, no `printed` both. No address is listed."""
    offset = int(cursor or 0)
    items, total = await queue.queued(ctx, caller, printed=printed, limit=limit, offset=offset)
    more = offset + len(items) < total
    return {"items": items, "total": total, "next": str(offset + limit) if more else None}


@router.get(
    "/letters/{letter_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the letter"}},
)
async def letter_pdf(letter_id: LetterId, ctx: Ctx, caller: Caller) -> Response:
    """One letter as a PDF to print, with the reporter's postal address (never cached)."""
    pdf = await queue.printable(ctx, caller, letter_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="letter-{letter_id[:8]}.pdf"',
        },
    )


@router.post("/letters/printed", dependencies=[Depends(_printers)])
async def mark_printed(body: PrintedIn, ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """Mark letters printed (another unit's letter is 404; a printed one keeps its time)."""
    marked = await queue.mark_printed(ctx, caller, list(dict.fromkeys(body.ids)))
    return {"marked": marked}
