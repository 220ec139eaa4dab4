"""`reveal-identity`: an inspector of the organ a case was transferred to opens the reporter's
sealed identity with the discipline-inspection key, with a reason. The identity is opened in
memory and returned in this one answer only; the case's history records who opened it and why
(internal), and the audit hook is called. Nothing in clear is stored or logged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import audit, store
from services.cases.actions import NotFound
from services.cases.domain import Action, authorize
from services.cases.domain_errors import TransitionError
from services.cases.scope import actor, relation
from services.cases.service import CasesService
from shared.auth import Principal
from shared.events.intake import SealedIdentity
from shared.sealing import Keyring, keyring, open_identity

HOLDER = "discipline"


async def reveal(
    service: CasesService, caller: Principal, case_id: str, reason: str
) -> dict[str, Any]:
    """The reporter's name, phone and email for an entitled inspector, or a DomainError."""

    async def work(session: AsyncSession) -> dict[str, Any]:
        case = await store.load(session, case_id, lock=True)
        if case is None or relation(service.directory, caller, case.row) is None:
            raise NotFound(case_id)
        me = actor(service.directory, caller, case.state.handling_unit)
        authorize(case.state, me, Action.REVEAL_IDENTITY)
        identity = _open(service, case.row["identity_sealed"], case.row["report_id"])
        entry = store.Entry("case.identity_revealed", {}, {"reason": reason}, me.sub, me.unit)
        await store.append(session, service, case, [entry])
        await audit.record(service, session, caller, "reveal-identity", case_id, {"reason": reason})
        return {"case_id": case_id, "identity": identity, "revealed_at": service.now()}

    return await store.retrying(service, work)


def _open(service: CasesService, sealed_json: str | None, report_id: str) -> dict[str, str]:
    if sealed_json is None:
        raise TransitionError("举报人匿名，无身份可揭示 | the report was anonymous", ())
    sealed = SealedIdentity.model_validate_json(sealed_json)
    if HOLDER not in sealed.sealed:
        raise TransitionError("身份未向纪检监察机关封存 | not sealed for discipline inspection", ())
    try:
        keys = discipline_keys(service.keys_dir)
        return open_identity(sealed, HOLDER, keys, report_id=report_id)
    except (InvalidTag, ValueError):
        # Another key, or a box not sealed for this report (copied from another one).
        raise TransitionError(
            "封存身份无法打开（密钥不符或不属于本举报） | sealed to another key or another report",
            (),
        ) from None


def discipline_keys(keys_dir: Path) -> Keyring:
    """The discipline-inspection keys (current and retired), never created here: a new key
    opens nothing sealed before it, and in production the holder's key is mounted (a missing
    one stops the start, see CasesSettings.production_problems)."""
    if not (keys_dir / f"{HOLDER}.key").exists():
        raise TransitionError(
            "纪检监察机关的密钥未安装 | the discipline-inspection key is not installed", ()
        )
    return keyring(keys_dir, HOLDER)
