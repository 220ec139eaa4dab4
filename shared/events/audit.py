"""Events of the audit trails (`audit.*`), on the `AUDIT` stream (no deletes, no purges).

- cases publishes the head of its keyed audit chain now and then: a later rewrite of the trail
  in the database no longer matches an anchor already out.
- cases records every sign-in, failure, lockout and sign-out of the officials' pages, and
  every change to an account (`audit.signin`, `audit.account_changed`).
- notify, reporting and the `zuofeng apikey` command record the actions that have no trail of
  their own: webhook subscriptions changed, written notices opened for printing (the reporter's
  address opened), exports taken, accountability decisions, API keys created and revoked.
  Each record is its own aggregate (a fresh id, sequence 1), published with the change through
  the service's outbox (the command publishes it directly).

Ids, codes, who acted and what was done; never a secret, a key, a URL's path, a name or a note.
All at city level: `zuofeng.v1.371400.audit.<event>`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import Field

from shared.events.base import CITY_COUNTY, Envelope, EventData, make_event, register
from shared.events.reporting import Decision


@register
class AuditAnchored(EventData):
    """The audit chain stood at this row with this hash (HMAC-SHA256, hex)."""

    type = "audit.anchored"
    last_id: int = Field(ge=1)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    anchored_at: datetime


class _Acted(EventData):
    """Who acted: the caller's unit, role and subject (the token's `sub`, or the API key id)."""

    actor_unit: str
    actor_role: str
    actor_sub: str


@register
class AuditWebhookChanged(_Acted):
    """An integrator subscribed, unsubscribed or resumed a webhook (notify). Only the
    receiver's host is kept: the URL's path and query may carry the integrator's tokens, and
    the signing secret never travels."""

    type = "audit.webhook_changed"
    subscription_id: str
    action: Literal["subscribe", "unsubscribe", "resume", "redeliver"]
    counties: list[str]
    event_types: list[str]
    url_host: str
    changed_at: datetime


@register
class AuditExported(_Acted):
    """Someone downloaded an export (reporting): which one, its filters and how many rows;
    never a row's content."""

    type = "audit.exported"
    export: Literal["stats", "cases", "supervision", "programmes"]
    format: Literal["csv", "xlsx"]
    filters: dict[str, str]
    rows: int = Field(ge=0)
    exported_at: datetime


@register
class AuditAlertDecided(_Acted):
    """Who recorded an accountability decision on an alert (reporting); `alert.decided` says
    what was decided for the unit, this says who decided (the officials named and the note
    stay in reporting's record)."""

    type = "audit.alert_decided"
    alert_id: str
    decision: Decision
    target: Literal["unit", "officials"]
    decided_at: datetime


@register
class AuditLetterOpened(_Acted):
    """Someone opened a written notice (书面告知) for printing (notify): the reporter's postal
    address was opened to lay out the PDF. Which letter, of which case; never the address."""

    type = "audit.letter_opened"
    letter_id: str
    case_id: str
    opened_at: datetime


@register
class AuditApiKeyChanged(EventData):
    """An API key was created or revoked with `zuofeng apikey` (run as the NATS admin): the
    key's id, unit, role and expiry; never the key."""

    type = "audit.apikey_changed"
    key_id: str
    action: Literal["create", "revoke"]
    unit: str
    role: str
    expires_at: datetime | None
    changed_at: datetime


@register
class AuditSignin(EventData):
    """An official signed in, failed to, was locked out or signed out (cases' sign-in pages).
    The login name as typed (the person's own), never the password or a code; the unit and
    role when the login is known."""

    type = "audit.signin"
    login: str
    outcome: Literal["signed_in", "failed", "locked", "signed_out"]
    method: str  # "password", "password+totp", "oidc"
    unit: str = ""
    role: str = ""
    reason: str = ""  # why a sign-in failed: "password", "totp", "disabled", "locked", ...
    at: datetime


@register
class AuditAccountChanged(EventData):
    """An account was added, disabled, given a new password or its second factor reset
    (`zuofeng user`, through cases' outbox); never the password or the TOTP secret."""

    type = "audit.account_changed"
    login: str
    action: Literal["add", "disable", "reset_password", "totp_reset", "totp_enrolled"]
    unit: str
    role: str
    changed_at: datetime


class _Caller(Protocol):
    @property
    def sub(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def role(self) -> Any: ...


def actor(caller: _Caller) -> dict[str, str]:
    """The `actor_*` fields of a record, from the authenticated caller."""
    return {"actor_unit": caller.unit, "actor_role": str(caller.role), "actor_sub": caller.sub}


def audit_record(payload: EventData, producer: str) -> Envelope:
    """A record as its own aggregate (fresh id, sequence 1), at city level: the trail is the
    city's, whichever county the action touched."""
    record_id = uuid.uuid4()
    return make_event(
        payload,
        county=CITY_COUNTY,
        aggregate_id=str(record_id),
        sequence=1,
        producer=producer,
        event_id=record_id,
    )
