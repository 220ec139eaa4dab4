"""回访 by SMS in notify alone (issue 26): who is asked (named reporters who left a phone, by
SMS even when their notices go by mail), who never is (anonymous, email only), once per reply,
nothing for a reply older than the window, and a link whose token names the report and the
reply as intake will check them; the phone nowhere in the `notification.*` events."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nats.js import JetStreamContext

from services.notify.samples import sample_payload
from shared import survey
from shared.events import make_event
from tests.factories import report_received
from tests.integration.busutil import eventually
from tests.integration.notify_harness import (
    bus,
    case_event,
    new_case_id,
    notifications,
    notify_settings,
    publish,
    running_notify,
    sealed_report,
    settled,
    smtp_sink,
    webhook_receiver,
)

pytestmark = pytest.mark.integration
__all__ = ["bus"]
BASE = "https://zuofeng.example.org"
PHONE_ONLY, BOTH, LATE = "13700001111", "13700002222", "13700003333"


async def test_named_reporters_with_a_phone_are_asked_once_per_reply(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    with smtp_sink() as sink:
        async with webhook_receiver() as gateway:
            settings = notify_settings(
                url,
                database_url,
                tmp_path / "var",
                sink.port,
                sms_gateway_url=gateway.url,
                survey_base_url=BASE + "/",
            )
            async with running_notify(settings, js) as (app, _http):
                keys = settings.resolved_keys_dir
                phone_only = sealed_report(keys, name="甲", phone=PHONE_ONLY)
                both = sealed_report(keys, name="乙", phone=BOTH, email="both-77@example.net")
                email_only = sealed_report(keys, name="丙", email="only-77@example.net")
                late = sealed_report(keys, name="丁", phone=LATE)
                anonymous = report_received("371402", report_id=str(uuid.uuid4()))
                await publish(js, phone_only, both, email_only, late, anonymous)
                # The reports first, as in life (a reply comes days later): notify asks only
                # reporters whose report it has seen, and its two consumers run apart.
                await eventually(lambda: settled(app, js))
                replies = {}
                for report, reply in (
                    (phone_only, "case.closed"),
                    (both, "case.rejected"),
                    (email_only, "case.closed"),
                    (anonymous, "case.closed"),
                ):
                    case_id = new_case_id()
                    closing = case_event(reply, case_id, report.aggregate_id, 2)
                    replies[report.aggregate_id] = closing.occurred_at
                    opening = case_event("case.opened", case_id, report.aggregate_id, 1)
                    await publish(js, opening, closing)
                    await publish(js, closing)  # a redelivery asks nothing twice
                old_case = new_case_id()
                long_ago = datetime.now(UTC) - timedelta(days=settings.survey_window_days + 1)
                old_reply = make_event(
                    sample_payload("case.closed", case_id=old_case, report_id=late.aggregate_id),
                    county="371402",
                    aggregate_id=old_case,
                    sequence=2,
                    producer="cases",
                    occurred_at=long_ago,
                )
                await publish(js, old_reply)
                await eventually(lambda: settled(app, js))
                told = await notifications(js)
    asked = [json.loads(call["body"]) for call in gateway.calls]
    asked = [a for a in asked if "/survey/" in a["text"]]
    assert sorted(a["to"] for a in asked) == sorted([PHONE_ONLY, BOTH])
    secret = settings.resolved_survey_secret()
    for text in asked:
        link = text["text"].split()[-1].split("：")[-1]
        assert link.startswith(f"{BASE}/survey/"), text
        token = survey.read(secret, link.rsplit("/", 1)[1])
        number = PHONE_ONLY if token.report_id == phone_only.aggregate_id else BOTH
        assert text["to"] == number
        assert token.replied_at == replies[token.report_id]
        assert token.expires_at > datetime.now(UTC) + timedelta(days=14)
    assert sink.to("both-77@example.net"), "her notices still go by mail"
    surveys = [e for e in told if e.data["recipient_kind"] == "survey"]
    assert len(surveys) == 2 and {e.type for e in surveys} == {"notification.delivered"}
    raw = "".join(e.model_dump_json() for e in told)
    for number in (PHONE_ONLY, BOTH, LATE):
        assert number not in raw
