"""One delivery attempt: find the recipient's sender and call it once; the outcome says what
happened, nothing is raised (the worker records every outcome of a round together)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from services.notify import applicants, channels, survey
from services.notify.context import Context
from services.notify.delivery.jobs import Cancel, Job, NotYet, Result
from services.notify.delivery.loading import Loaded
from services.notify.delivery.to_reporters import send_to_reporter
from services.notify.delivery.to_units import send_to_unit
from services.notify.delivery.to_webhooks import send_to_integrator

log = logging.getLogger("zuofeng.notify.sending")


@dataclass
class Clients:
    """The operator's SMS gateway may sit inside; integrators' receivers may not."""

    gateway: httpx.AsyncClient
    webhooks: httpx.AsyncClient


async def attempt(ctx: Context, clients: Clients, job: Job, loaded: Loaded) -> Result:
    """Try once; never raises (the outcome says what happened)."""
    channel = job.first["channel"]
    try:
        channel = await _dispatch(ctx, clients, job, loaded)
    except channels.Transient as exc:
        return Result(job, "retry", channel, channels.scrub(str(exc)))
    except channels.Permanent as exc:
        return Result(job, "failed", channel, channels.scrub(str(exc)))
    except Cancel:
        return Result(job, "cancelled", channel)
    except NotYet:
        return Result(job, "wait", channel, "report not seen yet")
    except Exception as exc:  # noqa: BLE001 - a template or data bug: retry, then fail, loudly
        reason = channels.scrub(f"{type(exc).__name__}: {exc}")
        log.warning("unexpected failure sending a notice: %s", reason, extra=_ids(job))
        return Result(job, "retry", channel, reason)
    return Result(job, "sent", channel)


def _ids(job: Job) -> dict[str, Any]:
    return {"event_id": job.first["event_id"], "case_id": job.first["case_id"]}


async def _dispatch(ctx: Context, clients: Clients, job: Job, loaded: Loaded) -> str:
    kind = job.first["recipient_kind"]
    if kind == "integrator":
        await send_to_integrator(ctx, clients.webhooks, job, loaded)
        return "webhook"
    if kind == "reporter":
        return await send_to_reporter(ctx, clients.gateway, job, loaded)
    if kind == survey.KIND:
        return await survey.send_survey(ctx, clients.gateway, job, loaded)
    if kind == applicants.KIND:
        return await applicants.send_to_applicant(ctx, clients.gateway, job, loaded)
    await send_to_unit(ctx, clients.gateway, job, loaded)
    return str(job.first["channel"])
