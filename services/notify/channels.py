"""The outside channels: email over SMTP, SMS through an HTTP gateway, signed webhooks.

Each sender raises `Transient` (try again later) or `Permanent` (never will work: a refused
address, a receiver that is gone); the worker decides what that means for the log. Error texts
are scrubbed of addresses and numbers before anyone stores or logs them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib
import httpx
from httpx_secure import SSRFProtectionError

from services.notify.rendering import Message
from services.notify.settings import NotifySettings

_EMAIL = re.compile(r"[^\s<>@]+@[^\s<>@]+")
_DIGITS = re.compile(r"\+?\d[\d \-]{5,}\d")
USER_AGENT = "Zuofeng-Notify/1"


class Transient(Exception):
    """Worth another try later (network, 4xx from SMTP, 5xx from HTTP)."""


class Permanent(Exception):
    """Will not work however often it is tried."""


def scrub(text: str) -> str:
    """An error message fit for logs and the delivery log: no addresses, no phone numbers."""
    return _DIGITS.sub("[number]", _EMAIL.sub("[address]", text))[:300]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The contract's signature: HMAC-SHA256 with the secret of "timestamp.body", hex."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def email_message(
    settings: NotifySettings, to: Sequence[str], message: Message, delivery_id: str, now: datetime
) -> EmailMessage:
    """The mail; its Message-ID derives from the delivery id, so a re-send is recognisable."""
    mail = EmailMessage()
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "zuofeng.invalid"
    mail["From"] = settings.smtp_from
    mail["To"] = ", ".join(to)
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = f"<{delivery_id}@{domain}>"
    mail["X-Zuofeng-Delivery"] = delivery_id
    mail["Auto-Submitted"] = "auto-generated"
    # 8bit keeps the text readable in a mail sink; aiosmtplib re-encodes it for a server
    # without 8BITMIME. A line too long for SMTP (a long summary) needs base64.
    longest = max((len(line.encode()) for line in message.body.splitlines()), default=0)
    mail.set_content(message.body, cte="8bit" if longest <= 900 else "base64")
    return mail


async def send_email(settings: NotifySettings, mail: EmailMessage) -> None:
    security = settings.smtp_security
    try:
        await aiosmtplib.send(
            mail,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            use_tls=security == "tls",
            start_tls=security == "starttls",
            timeout=settings.smtp_timeout,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = sorted({r.code for r in exc.recipients})
        error = Permanent if all(code >= 500 for code in codes) else Transient
        raise error(f"smtp recipients refused {codes}") from None
    except aiosmtplib.SMTPResponseException as exc:
        error = Permanent if exc.code >= 500 else Transient
        raise error(f"smtp {exc.code} {scrub(exc.message)}") from None
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise Transient(f"smtp {type(exc).__name__}: {scrub(str(exc))}") from None


async def send_sms(
    client: httpx.AsyncClient,
    settings: NotifySettings,
    numbers: Sequence[str],
    text: str,
    delivery_id: str,
) -> None:
    """One gateway call per number; the gateway may dedupe on (`id`, `to`)."""
    assert settings.sms_gateway_url is not None
    headers = {"X-Zuofeng-Delivery": delivery_id, "User-Agent": USER_AGENT}
    if settings.sms_gateway_token:
        headers["Authorization"] = f"Bearer {settings.sms_gateway_token}"
    for number in numbers:
        body = {"id": delivery_id, "to": number, "text": text}
        await _post(client, settings.sms_gateway_url, headers, json=body, what="sms gateway")


async def send_webhook(
    client: httpx.AsyncClient, url: str, secret: str, body: bytes, delivery_id: str
) -> None:
    """POST the event envelope, signed; the same `X-Zuofeng-Delivery` on every retry."""
    timestamp = str(int(time.time()))  # wall clock: receivers check it against theirs
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Zuofeng-Delivery": delivery_id,
        "X-Zuofeng-Timestamp": timestamp,
        "X-Zuofeng-Signature": sign(secret, timestamp, body),
    }
    await _post(client, url, headers, content=body, what="webhook")


async def _post(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    *,
    what: str,
    json: object = None,
    content: bytes | None = None,
) -> None:
    try:
        answer = await client.post(url, headers=headers, json=json, content=content)
    except SSRFProtectionError:
        # Counts towards suspending the subscription; the address itself is not recorded.
        raise Permanent(f"{what} target is not a public address") from None
    except httpx.HTTPError as exc:
        raise Transient(f"{what} {type(exc).__name__}") from None
    if answer.is_success:
        return
    code = answer.status_code
    # 410 Gone and a gateway's 4xx (bad number, bad request) will not get better.
    permanent = code == 410 or (
        what == "sms gateway" and 400 <= code < 500 and code not in (408, 429)
    )
    raise (Permanent if permanent else Transient)(f"{what} answered {code}")
