"""`reveal-identity`: an inspector of the organ a case was transferred to opens the reporter's
sealed identity with the discipline-inspection key, with a reason. The identity is opened in
memory and returned in this one answer only; the case's history records who opened it and why
(internal), and the audit hook is called. Nothing in clear is stored or logged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import appending, store, transactions
from services.cases.audit import trail
from services.cases.context import Context
from services.cases.domain.decide import authorize
from services.cases.domain.refusals import no_such_case, not_allowed
from services.cases.domain.vocabulary import Action
from services.cases.scope import actor, relation
from shared.auth import Principal
from shared.errors import Refusal
from shared.events.intake import SealedIdentity
from shared.sealing import Keyring, keyring, open_identity

HOLDER = "discipline"


async def reveal(ctx: Context, caller: Principal, case_id: str, reason: str) -> dict[str, Any]:
    """The reporter's name, phone and email for an entitled inspector, or a DomainError."""

    async def work(session: AsyncSession) -> dict[str, Any]:
        case = await store.load(session, case_id, lock=True)
        if case is None or relation(ctx.directory, caller, case.row) is None:
            raise no_such_case()
        me = actor(ctx.directory, caller, case.state.handling_unit)
        authorize(case.state, me, Action.REVEAL_IDENTITY)
        if not reason.strip():  # after scope and role: an outsider learns nothing from a 422
            raise Refusal.invalid(("body", "reason"), "请说明查看理由", "give a reason")
        identity = _open(ctx, case.row["identity_sealed"], case.row["report_id"])
        entry = appending.Entry("case.identity_revealed", {}, {"reason": reason}, me.sub, me.unit)
        await appending.append(session, ctx, case, [entry])
        await trail.record(ctx, session, caller, "reveal-identity", case_id, {"reason": reason})
        return {"case_id": case_id, "identity": identity, "revealed_at": ctx.now()}

    return await transactions.retrying(ctx, work)


def _open(ctx: Context, sealed_json: str | None, report_id: str) -> dict[str, str]:
    if sealed_json is None:
        raise not_allowed("the report was anonymous", (), "举报人匿名，无身份可揭示")
    sealed = SealedIdentity.model_validate_json(sealed_json)
    if HOLDER not in sealed.sealed:
        raise not_allowed("not sealed for discipline inspection", (), "身份未向纪检监察机关封存")
    try:
        keys = discipline_keys(ctx.keys_dir)
        return open_identity(sealed, HOLDER, keys, report_id=report_id)
    except (InvalidTag, ValueError):
        # Another key, or a box not sealed for this report (copied from another one).
        zh = "封存身份无法打开（密钥不符或不属于本举报）"
        raise not_allowed("sealed to another key or another report", (), zh) from None


def discipline_keys(keys_dir: Path) -> Keyring:
    """The discipline-inspection keys (current and retired), never created here: a new key
    opens nothing sealed before it, and in production the holder's key is mounted (a missing
    one stops the start, see CasesSettings.production_problems)."""
    if not (keys_dir / f"{HOLDER}.key").exists():
        zh = "纪检监察机关的密钥未安装"
        raise not_allowed("the discipline-inspection key is not installed", (), zh)
    return keyring(keys_dir, HOLDER)
