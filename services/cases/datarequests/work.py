"""Registering a data request or check aimed at a village: judged against the village's
requests of the year (`rules.judge`), recorded whatever the outcome (a refusal too, so the
register shows who asked), with its event, in one transaction. Requests for one village take
turns (PostgreSQL advisory lock on the village; SQLite has one writer)."""

from __future__ import annotations

import uuid
import zlib
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import transactions
from services.cases.context import Context
from services.cases.datarequests.rules import judge
from services.cases.datarequests.tables import data_requests
from shared import outbox
from shared.auth import Principal
from shared.deadlines import local_day
from shared.directory.units import normalize
from shared.events import REGISTRY, make_event

FIELDS = ("county", "village", "requesting_unit", "kind", "check_kind", "year")


async def register(ctx: Context, caller: Principal, body: dict[str, Any]) -> dict[str, Any]:
    """The recorded request (its `outcome` says if it was refused)."""

    async def work(session: AsyncSession) -> dict[str, Any]:
        now = ctx.now()
        key, year = normalize(body["village"]), local_day(now).year
        await _take_turns(session, ctx, f"{body['county']}:{key}")
        earlier = await session.execute(
            select(data_requests)
            .where(
                data_requests.c.county == body["county"],
                data_requests.c.village_key == key,
                data_requests.c.year == year,
                data_requests.c.outcome != "refused",
            )
            .order_by(data_requests.c.requested_at)
        )
        previous = [dict(r) for r in earlier.mappings()]
        found = judge(body["kind"], body.get("check_kind"), previous)
        row = {
            **{k: body.get(k) for k in ("county", "township", "village", "kind", "check_kind")},
            "id": str(uuid.uuid4()), "village_key": key, "requesting_unit": caller.unit,
            "title": body["title"], "year": year, "outcome": found.outcome,
            "rule": found.rule[0] if found.rule else None, "repeats": found.repeats,
            "requested_by": caller.sub, "requested_at": now,
        }  # fmt: skip
        await session.execute(insert(data_requests).values(**row))
        await _stage(session, row)
        return row | {"rule_en": found.rule[1] if found.rule else None}

    return await transactions.retrying(ctx, work, one_writer=True)


async def _take_turns(session: AsyncSession, ctx: Context, village: str) -> None:
    if not ctx.db.is_sqlite:
        lock = zlib.crc32(f"datarequest:{village}".encode())
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})


async def _stage(session: AsyncSession, row: dict[str, Any]) -> None:
    refused = row["outcome"] == "refused"
    data = {k: row[k] for k in FIELDS} | {"request_id": row["id"], "repeats": row["repeats"]}
    if refused:
        event_type = "datarequest.refused"
        data["rule"] = row["rule"]
    else:
        event_type = "datarequest.registered"
        data |= {"flagged": row["outcome"] == "flagged", "rule": row["rule"]}
    payload = REGISTRY[(event_type, 1)].model_validate(data)
    envelope = make_event(
        payload, county=row["county"], aggregate_id=row["id"], sequence=1, producer="cases",
        occurred_at=row["requested_at"],
    )  # fmt: skip
    await outbox.add(session, envelope)
