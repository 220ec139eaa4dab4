"""Aid applications: submitted by the woman or a village cadre, then each step of the workflow
written with its event in one transaction (the outbox)."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.federation import callers
from services.federation.aid import workflow
from services.federation.aid.details import (
    AidDetails,
    ApplicantContact,
    keyed_hash,
    seal_contact,
    seal_details,
)
from services.federation.context import Context
from services.federation.models import applications, drive_budgets, drives
from services.federation.places import village
from services.federation.publishing import publish
from shared.auth import Principal
from shared.errors import Refusal
from shared.events.federation import aid as events
from shared.http_params import IsoDate

COUNTY = r"^\d{6}$"


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    county: str = Field(pattern=COUNTY)
    village_id: str = Field(min_length=1, max_length=36)
    drive_id: str | None = Field(None, max_length=36)
    details: AidDetails
    # Where she is told of each step (notify's SMS or mail); sealed to notify, never stored.
    contact: ApplicantContact | None = None


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    registered_poor: bool
    rural: bool
    diagnosis_confirmed: bool


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: int = Field(gt=0, le=1_000_000)
    fund_source: events.FundSource


class DisburseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    paid_on: IsoDate
    payment_ref: str = Field(min_length=1, max_length=64)


class RefuseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=500)  # what the applicant is told


async def submit(ctx: Context, caller: Principal | None, body: ApplicationIn) -> dict[str, Any]:
    """201 with the application's id and the applicant's receipt (shown once: her key to the
    application's status)."""
    if caller is not None:
        callers.require(caller, callers.CADRE, callers.OFFICER)
        callers.refuse_outside(caller, ctx.directory, body.county)
    app_id, receipt, now = str(uuid.uuid4()), secrets.token_urlsafe(12), ctx.clock()
    box, key_id = seal_details(ctx, app_id, body.details)
    contact = seal_contact(ctx, app_id, body.contact)
    async with ctx.db.sessions() as session, session.begin():
        place = await village(session, body.village_id, body.county)
        if body.drive_id is not None:
            await _drive_exists(session, body.drive_id)
        due = now + timedelta(days=ctx.settings.eligibility_days)
        await session.execute(insert(applications).values(
            id=app_id, county=body.county, village_id=place.id, poor_village=place.poor,
            drive_id=body.drive_id, year=now.year,
            submitted_by="applicant" if caller is None else "village_cadre",
            submitter_unit=caller.unit if caller else None,
            submitter_sub=caller.sub if caller else None,
            status="submitted", version=1, due_at=due, sealed=box, key_id=key_id,
            household_hash=keyed_hash(ctx, "household", body.details.household_ref),
            receipt_hash=keyed_hash(ctx, "receipt", receipt),
            created_at=now, updated_at=now,
        ))  # fmt: skip
        payload = events.AidSubmitted(
            application_id=app_id, county=body.county, village_id=place.id,
            poor_village=place.poor, status="submitted", drive_id=body.drive_id, due_at=due,
            submitted_by="applicant" if caller is None else "village_cadre", year=now.year,
            contact=contact,
        )  # fmt: skip
        await publish(session, payload, county=body.county, aggregate_id=app_id)
    ctx.metrics.step("submitted")
    return {"application_id": app_id, "receipt": receipt, "status": "submitted", "due_at": due}


async def _drive_exists(session: AsyncSession, drive_id: str) -> None:
    if (await session.execute(select(drives.c.id).where(drives.c.id == drive_id))).first() is None:
        raise Refusal.invalid(("body", "drive_id"), "救助活动不存在", "no such aid drive")


async def load_in_scope(session: AsyncSession, ctx: Context, caller: Principal, app_id: str) -> Any:
    """The application if the caller's federation sees it (404 else: ids are not probed)."""
    callers.require(caller, callers.OFFICER)
    row = (await session.execute(select(applications).where(applications.c.id == app_id))).first()
    if row is None or not callers.sees(caller, ctx.directory, row.county):
        raise callers.not_found()
    return row


async def act(
    ctx: Context, caller: Principal, app_id: str, action: str, body: BaseModel | None = None
) -> dict[str, Any]:
    """Take one step; 409 when the status does not allow it, 403 when the level may not."""
    async with ctx.db.sessions() as session, session.begin():
        row = await load_in_scope(session, ctx, caller, app_id)
        status, level = workflow.move(action, row.status)
        if level == "city":
            callers.require_city(caller, ctx.directory)
        else:
            callers.require_county(caller, ctx.directory, row.county)
        status, values, payload = await _step(session, ctx, row, action, status, body)
        done = await session.execute(
            update(applications)
            .where(and_(applications.c.id == app_id, applications.c.version == row.version))
            .values(status=status, version=row.version + 1, updated_at=ctx.clock(), **values)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Refusal.conflict("申请已被他人处理，请刷新", "changed meanwhile; reload it")
        await publish(
            session, payload, county=row.county, aggregate_id=app_id, sequence=row.version + 1
        )
    ctx.metrics.step(status)
    return {"application_id": app_id, "status": status, **_public(values)}


def _public(values: dict[str, Any]) -> dict[str, Any]:
    keep = ("due_at", "amount", "fund_source", "paid_on", "public_reason", "at_step")
    return {key: values[key] for key in keep if key in values}


async def _step(
    session: AsyncSession, ctx: Context, row: Any, action: str, status: str, body: Any
) -> tuple[str, dict[str, Any], events.AidStep]:
    """The status reached (a failed check refuses), the columns set and the event."""
    days = workflow.NEXT_DUE.get(status)
    due = ctx.clock() + timedelta(days=getattr(ctx.settings, days)) if days else None
    values: dict[str, Any] = {"due_at": due, "overdue_at": None}
    if action == "check":
        problems = workflow.eligibility_problems(
            body.registered_poor, body.rural, body.diagnosis_confirmed,
            await _aided_this_year(session, row),
        )  # fmt: skip
        if problems:
            return await _step(session, ctx, row, "refuse", "refused",
                               RefuseIn(reason="；".join(problems)))  # fmt: skip
    if action == "approve":
        await _within_budget(session, row, body.amount, body.fund_source)
        values |= {"amount": body.amount, "fund_source": body.fund_source}
    if action == "disburse":
        values |= {"paid_on": body.paid_on.isoformat(), "payment_ref": body.payment_ref}
    if action == "refuse":
        values |= {"public_reason": body.reason, "at_step": row.status, "due_at": None}
    return status, values, _event(row, action, status, values)


def _event(row: Any, action: str, status: str, values: dict[str, Any]) -> events.AidStep:
    common = {
        "application_id": row.id, "county": row.county, "village_id": row.village_id,
        "poor_village": row.poor_village, "status": status, "drive_id": row.drive_id,
        "due_at": values.get("due_at"),
    }  # fmt: skip
    money = {
        "amount": values.get("amount", row.amount),
        "fund_source": values.get("fund_source", row.fund_source),
    }
    if status == "refused":
        return events.AidRefused(
            **common, at_step=row.status, public_reason=values["public_reason"]
        )
    if action == "check":
        return events.AidFoundEligible(**common)
    if action == "review":
        return events.AidReviewed(**common)
    if action == "approve":
        return events.AidApproved(**common, **money)
    if action == "disburse":
        return events.AidDisbursed(**common, **money, paid_on=values["paid_on"])
    return events.AidClosed(**common)


async def _aided_this_year(session: AsyncSession, row: Any) -> bool:
    query = select(func.count()).where(
        applications.c.household_hash == row.household_hash,
        applications.c.year == row.year,
        applications.c.id != row.id,
        applications.c.status.in_(workflow.COMMITTED),
    )
    return bool((await session.execute(query)).scalar_one())


async def _within_budget(session: AsyncSession, row: Any, amount: int, source: str) -> None:
    """An application of a drive draws on the drive's budget for that fund source."""
    if row.drive_id is None:
        return
    budget = (
        await session.execute(
            select(drive_budgets.c.budget).where(
                drive_budgets.c.drive_id == row.drive_id, drive_budgets.c.fund_source == source
            )
        )
    ).scalar_one_or_none()
    if budget is None:
        raise Refusal.invalid(
            ("body", "fund_source"), "该救助活动没有此资金来源", "the drive has no such fund"
        )
    spent = (
        await session.execute(
            select(func.coalesce(func.sum(applications.c.amount), 0)).where(
                applications.c.drive_id == row.drive_id,
                applications.c.fund_source == source,
                applications.c.status.in_(workflow.COMMITTED),
            )
        )
    ).scalar_one()
    if spent + amount > budget:
        raise Refusal.conflict(
            f"该资金来源预算不足（剩余 {budget - spent} 元）",
            f"the fund's budget is short ({budget - spent} yuan left)",
        )
