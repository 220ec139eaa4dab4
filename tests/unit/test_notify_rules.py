"""Notify's rules without services: who hears what, templates, digests, contacts, signing."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.notify import audiences, channels
from services.notify.cli import app as notify_cli
from services.notify.contacts import ContactsError, load_contacts
from services.notify.delivery.jobs import Job, lanes
from services.notify.delivery.loading import Loaded
from services.notify.delivery.retry import backoff
from services.notify.digests import next_digest
from services.notify.rendering import LANGUAGES, TEMPLATES, has_template, render
from services.notify.reporters import is_contactable
from services.notify.samples import SAMPLE, case_types, sample_payload
from services.notify.settings import PACKAGED_CONTACTS, NotifySettings
from shared.directory import load_directory
from shared.events import Envelope, make_event, parse_payload
from shared.events.intake import ReportReceived, SealedIdentity
from tests.factories import SAFE_PRODUCTION, report_received

DIRECTORY = load_directory()
PAIRS = [
    (event_type, "reporter" if a in audiences.REPORTER_AUDIENCES else a)
    for event_type, names in audiences.RULES.items()
    for a in names
]


def targets(event_type: str, **data: object) -> list[tuple[str, str]]:
    payload = sample_payload(event_type, **data)
    return [(t.unit, t.audience) for t in audiences.unit_targets(event_type, payload, DIRECTORY)]


def test_every_rule_is_a_case_event_type() -> None:
    assert set(audiences.RULES) <= set(case_types())


def test_overdue_tells_the_handling_unit_and_its_supervisors_at_once() -> None:
    assert targets("case.overdue") == [
        ("371402-fpb", "handling"),
        ("371402-lg", "supervisor"),
        ("city-fpb", "supervisor"),
    ]
    assert audiences.is_urgent("case.overdue") and not audiences.is_urgent("case.opened")


def test_escalation_goes_to_the_unit_it_names_then_the_handler_each_once() -> None:
    assert targets("case.escalated", to_unit="371402-lg") == [
        ("371402-lg", "supervisor"),
        ("371402-fpb", "handling"),
    ]
    assert targets("case.escalated", to_unit="371402-fpb") == [("371402-fpb", "supervisor")]


def test_transfers_reach_the_receiving_organ_and_exposure_the_city_office() -> None:
    assert targets("case.transferred", receiving_unit="371402-jw") == [("371402-jw", "receiving")]
    assert targets("case.exposure_proposed") == [("city-fpb", "city_office")]
    assert targets("case.extension_requested") == [
        ("371402-lg", "supervisor"),
        ("city-fpb", "supervisor"),
    ]


def test_triage_reaches_the_city_office_as_handling_unit() -> None:
    assert targets("case.opened", handling_unit="city-fpb", triage=True) == [
        ("city-fpb", "handling")
    ]


def test_the_reporter_hears_of_acceptance_extension_result_closure_and_merge() -> None:
    told = {t for t in case_types() if audiences.tells_reporter(t, sample_payload(t))}
    assert told == {
        "case.accepted",
        "case.rejected",
        "case.extension_decided",
        "case.concluded",
        "case.closed",
        "case.merged",
        "case.re_reviewed",  # the 复核's final answer
        "case.result_upheld",
    }
    refused = sample_payload("case.extension_decided", approved=False, days=0)
    assert audiences.tells_reporter("case.extension_decided", refused) is None
    assert audiences.tells_reporter("case.merged", sample_payload("case.merged")) == (
        "merged_reporter"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("event_type", "audience"), PAIRS)
def test_every_audience_has_a_template_that_renders(
    event_type: str, audience: str, lang: str
) -> None:
    assert has_template(event_type, audience, lang)
    extra = {"reported_on": SAMPLE["received_at"], "recipient": "371402-lg"}
    message = render(event_type, audience, sample_payload(event_type), lang, extra=extra)
    assert message.subject and message.summary and message.sms
    assert "None" not in message.body and "{{" not in message.body
    if audience != "reporter":
        assert SAMPLE["case_id"] in message.body
    else:
        assert SAMPLE["case_id"] not in message.body  # the reporter never needs our ids


def test_no_template_is_left_without_a_rule() -> None:
    wanted = {f"{t}.{a}.j2" for t, a in PAIRS} | {"digest.j2"}
    for lang in LANGUAGES:
        files = {p.name for p in (TEMPLATES / lang).glob("*.j2") if not p.name.startswith("_")}
        assert files == wanted, lang


def test_preview_renders_an_event_type_and_refuses_unknown_ones() -> None:
    runner = CliRunner()
    shown = runner.invoke(notify_cli, ["preview", "case.concluded", "--lang", "en"])
    assert shown.exit_code == 0 and "The result of your report" in shown.output
    assert runner.invoke(notify_cli, ["preview", "report.received"]).exit_code == 2


def test_next_digest_is_the_coming_local_digest_time() -> None:
    morning = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 09:00 in Dezhou
    assert next_digest(morning, "18:00") == (
        datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        "2026-11-20",
    )
    at_six = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # 18:00 sharp: the next day's
    assert next_digest(at_six, "18:00")[1] == "2026-11-21"
    late = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # 01:00 on the 21st
    assert next_digest(late, "18:00")[1] == "2026-11-21"


def test_contacts_fill_the_default_and_name_what_is_wrong(tmp_path: Path) -> None:
    contacts = load_contacts(PACKAGED_CONTACTS)
    assert contacts.for_unit("371403-fpb").email == ("371403-fpb@units.zuofeng.example.org",)
    assert contacts.takes_digest("city-fpb") and not contacts.takes_digest("371403-fpb")
    bad = tmp_path / "contacts.yaml"
    bad.write_text("units:\n  city-fpb:\n    digest: weekly\n", encoding="utf-8")
    with pytest.raises(ContactsError, match="units.city-fpb.digest"):
        load_contacts(bad)
    assert load_contacts(None).for_unit("city-fpb").email == ()


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"type":"case.closed"}'
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert channels.sign("s3cret", "1700000000", body) == f"sha256={expected}"


def test_scrub_leaves_no_address_or_number() -> None:
    text = channels.scrub("550 <a.b@example.net>: rejected; sms to +86 138 1234 5678 failed")
    assert "example.net" not in text and "5678" not in text and "550" in text


def test_backoff_doubles_then_holds_at_the_cap() -> None:
    delays = [backoff(n, 5.0, 60.0) for n in range(1, 8)]
    assert 4.0 <= delays[0] <= 5.0 and 8.0 <= delays[1] <= 10.0
    assert all(48.0 <= d <= 60.0 for d in delays[4:])


def report(**data: object) -> ReportReceived:
    payload = parse_payload(report_received(**data))
    assert isinstance(payload, ReportReceived)
    return payload


def test_only_named_reports_with_a_sealed_contact_are_contactable() -> None:
    sealed = SealedIdentity(sealed={"notify": "box"}, has_email=True)
    assert is_contactable(report(anonymous=False, identity=sealed))
    assert not is_contactable(report())
    assert not is_contactable(report(anonymous=True, identity=sealed))
    no_box = SealedIdentity(sealed={"discipline": "box"}, has_email=True)
    assert not is_contactable(report(anonymous=False, identity=no_box))
    name_only = SealedIdentity(sealed={"notify": "box"})
    assert not is_contactable(report(anonymous=False, identity=name_only))


def test_channels_are_off_until_configured(tmp_path: Path) -> None:
    local = NotifySettings(var_dir=tmp_path)
    assert not local.email_enabled and not local.sms_enabled
    assert local.resolved_contacts_file == PACKAGED_CONTACTS
    production = NotifySettings(var_dir=tmp_path, **SAFE_PRODUCTION)
    assert production.resolved_contacts_file is None
    assert NotifySettings(var_dir=tmp_path, smtp_host="mail.example.org").email_enabled


# What production needs of the shared settings, so only the notify rule is under test here.
PRODUCTION = SAFE_PRODUCTION


def test_internal_webhook_targets_are_denied_unless_explicitly_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15.8: denied in every environment by default; production refuses the opt-in."""
    assert not NotifySettings(var_dir=tmp_path).internal_webhooks_allowed
    assert not NotifySettings(var_dir=tmp_path, **PRODUCTION).internal_webhooks_allowed
    monkeypatch.setenv("ZUOFENG_NOTIFY_WEBHOOK_INTERNAL_TARGETS", "true")
    assert NotifySettings(var_dir=tmp_path).internal_webhooks_allowed
    with pytest.raises(ValueError, match="ZUOFENG_NOTIFY_WEBHOOK_INTERNAL_TARGETS"):
        NotifySettings(var_dir=tmp_path, **PRODUCTION)


def test_a_contact_sealed_before_a_key_rotation_still_opens(tmp_path: Path) -> None:
    from services.notify.reporters import Contact, open_contact
    from shared import sealing

    identity = {"email": "zhangsan@example.org"}
    notify_key = {"notify": sealing.public_key(tmp_path, "notify")}
    sealed = sealing.seal_identity(identity, notify_key, report_id="r1")
    sealing.rotate(tmp_path, "notify")
    contact = Contact(
        "r1", True, True, False, None, sealed.sealed["notify"], sealed.key_ids["notify"]
    )
    assert open_contact(contact, sealing.keyring(tmp_path, "notify")) == identity


def test_one_case_s_sends_to_one_address_go_in_event_order_the_rest_apart() -> None:
    def event(event_type: str, case_id: str, sequence: int) -> Envelope:
        payload = sample_payload(event_type, case_id=case_id)
        return make_event(
            payload, county="371402", aggregate_id=case_id, sequence=sequence, producer="cases"
        )

    case_id, other_case = str(uuid.uuid4()), str(uuid.uuid4())
    life = [
        event(t, case_id, i + 1)
        for i, t in enumerate(["case.accepted", "case.concluded", "case.closed"])
    ]
    elsewhere = event("case.opened", other_case, 1)
    loaded = Loaded(sources={str(e.event_id): e.model_dump_json() for e in [*life, elsewhere]})

    def job(event: Envelope, recipient: str, channel: str = "email") -> Job:
        row = {
            "event_id": str(event.event_id),
            "case_id": event.aggregate_id,
            "recipient_kind": "unit",
            "recipient": recipient,
            "channel": channel,
            "batch": None,
            "created_at": datetime.now(UTC),
        }
        return Job([row], str(uuid.uuid4()))

    # Claimed newest first, as equal due times may come back from the database.
    claimed = [job(e, "u1") for e in reversed(life)]
    claimed += [job(life[0], "u2"), job(life[0], "u1", "sms"), job(elsewhere, "u1")]
    found = lanes(claimed, loaded)
    assert sorted(len(lane) for lane in found) == [1, 1, 1, 3]
    in_turn = next(lane for lane in found if len(lane) == 3)
    assert [j.first["event_id"] for j in in_turn] == [str(e.event_id) for e in life]
