"""A finding handed to intake as a report of the `inspection` channel, over intake's NATS
request-reply (`zuofeng.v1.<county>.intake.submit`), exactly as a clerk's system submits one:
with the clerk API key of `ZUOFENG_CASES_FINDINGS_API_KEY` when set, else a short-lived clerk
token of the inspecting unit signed with the HS256 secret; and an idempotency key of the
finding, so a retry gets the same report. Cases never writes intake's tables."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from nats.aio.client import Client
from nats.errors import Error as NatsError

from services.cases.context import Context
from shared.auth import issue_token
from shared.errors import Refusal
from shared.subjects import submit_subject

TIMEOUT = 10.0


async def submit_finding(
    ctx: Context, nc: Client, inspection: dict[str, Any], body: dict[str, Any]
) -> str:
    """The id of the report intake made of the finding; a Refusal when intake refused it."""
    report = _report(inspection, body)
    digest = hashlib.sha256(json.dumps(report, sort_keys=True).encode()).hexdigest()[:32]
    headers = {**_credentials(ctx, inspection), "Idempotency-Key": f"insp-{digest}"}
    try:
        reply = await nc.request(
            submit_subject(inspection["county"]),
            json.dumps(report).encode(),
            TIMEOUT,
            headers=headers,
        )
    except (NatsError, TimeoutError) as exc:
        raise Refusal.unavailable(
            "受理服务暂不可用，请稍后重试", f"intake unavailable: {exc}"
        ) from exc
    answer = json.loads(reply.data)
    if "error" in answer:
        status, detail = answer["error"]["status"], answer["error"]["detail"]
        text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
        raise Refusal(status if status < 500 else 503, text, text)
    return str(answer["report_id"])


def _credentials(ctx: Context, inspection: dict[str, Any]) -> dict[str, str]:
    settings = ctx.settings
    if settings.findings_api_key:
        return {"X-API-Key": settings.findings_api_key}
    if not settings.hs256_usable():  # production refuses to start so; elsewhere say what lacks
        raise Refusal.unavailable(
            "未配置督查发现转交受理的凭据（ZUOFENG_CASES_FINDINGS_API_KEY）",
            "no credential to hand findings to intake: set ZUOFENG_CASES_FINDINGS_API_KEY",
        )
    token = issue_token(
        settings.resolved_jwt_secret(), unit=inspection["unit"], role="clerk",
        sub=f"cases:inspection:{inspection['id']}", ttl=timedelta(minutes=5),
        audience=settings.jwt_audience, issuer=settings.jwt_issuer,
    )  # fmt: skip
    return {"Authorization": f"Bearer {token}"}


def _report(inspection: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    kind = "暗访" if inspection["kind"] == "unannounced" else "督查"
    report = {
        "channel": "inspection",
        "county": inspection["county"],
        "title": body.get("title") or f"{kind}发现的问题",
        "content": body["content"],
        "occurred_on": str(inspection["visit_on"]),
    }
    place = {"township": inspection["township"], "village": inspection["village"]}
    extra = {k: body.get(k) for k in ("subject_unit_id", "subject_person", "category_hint")}
    return report | {k: v for k, v in {**place, **extra}.items() if v is not None}
