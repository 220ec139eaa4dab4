"""Notify's rules and wording for the campaign's supervision (issue 22): who is told of each
task and inspection event, and every notice renders in zh-CN and English from its template."""

from __future__ import annotations

from typing import Any

import pytest

from services.notify.rendering import LANGUAGES
from services.notify.supervision import audiences
from services.notify.supervision import samples as samples_module
from services.notify.supervision.samples import samples
from services.notify.supervision.wording import has_template, render_supervised
from shared.directory import load_directory
from shared.events.cases.supervision import InspectionPlanned

DIRECTORY = load_directory()
SAMPLES = samples()
TASK, VISIT = samples_module.TASK, samples_module.VISIT
PAIRS = [(t, a) for t, names in audiences.RULES.items() for a in names]


def told(event_type: str, payload: Any) -> list[tuple[str, str]]:
    return [(t.unit, t.audience) for t in audiences.unit_targets(event_type, payload, DIRECTORY)]


def test_every_supervision_rule_has_a_sample() -> None:
    assert set(SAMPLES) == set(audiences.RULES)


@pytest.mark.parametrize(("event_type", "audience"), PAIRS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_audience_has_a_template_that_renders(
    event_type: str, audience: str, lang: str
) -> None:
    assert has_template(event_type, audience, lang)
    message = render_supervised(
        event_type, audience, SAMPLES[event_type], lang, directory=DIRECTORY,
        extra={"recipient": "371402-fpb"},
    )  # fmt: skip
    assert message.subject and message.summary and message.sms
    assert "None" not in message.body and "{{" not in message.body
    short = str(getattr(SAMPLES[event_type], "task_id", None) or VISIT["inspection_id"])
    assert short[:8] in message.subject


def test_a_task_is_told_to_its_responsible_unit_and_progress_to_its_lead_units() -> None:
    assert told("task.assigned", SAMPLES["task.assigned"]) == [("371402-fpb", "responsible")]
    assert told("task.progress_reported", SAMPLES["task.progress_reported"]) == [
        ("city-fpb", "lead"), ("city-zzb", "lead"),
    ]  # fmt: skip
    for event_type in ("task.sent_back", "task.accepted", "task.deadline_approaching"):
        assert told(event_type, SAMPLES[event_type]) == [("371402-fpb", "responsible")]
    assert told("task.escalated", SAMPLES["task.escalated"]) == [
        ("371402-lg", "escalated_to"), ("371402-fpb", "responsible"),
    ]  # fmt: skip


def test_a_lead_unit_that_is_also_responsible_is_not_told_of_its_own_report() -> None:
    own = SAMPLES["task.progress_reported"].model_copy(update={"responsible_unit": "city-fpb"})
    assert told("task.progress_reported", own) == [("city-zzb", "lead")]


def test_a_finding_is_told_to_the_visited_county_office_only() -> None:
    finding = SAMPLES["inspection.finding_reported"]
    office = DIRECTORY.office_of("371402")
    assert office is not None
    assert told("inspection.finding_reported", finding) == [(office.id, "county_office")]
    by_itself = finding.model_copy(update={"unit": office.id})
    assert told("inspection.finding_reported", by_itself) == []
    planned = InspectionPlanned(**VISIT | {"status": "planned", "version": 1})
    assert told("inspection.planned", planned) == []  # an unannounced visit is told to no one


def test_the_send_back_reason_and_the_sub_task_are_worded_in_both_languages() -> None:
    zh = render_supervised("task.sent_back", "responsible", SAMPLES["task.sent_back"], "zh-CN",
                           directory=DIRECTORY, extra={"recipient": "371402-fpb"})  # fmt: skip
    assert "缺少培训签到表" in zh.summary and "退回" in zh.subject
    en = render_supervised("task.assigned", "responsible", SAMPLES["task.assigned"], "en",
                           directory=DIRECTORY, extra={"recipient": "371402-fpb"})  # fmt: skip
    assert en.subject.startswith("[Supervised task] A sub-task") and "(1) Training" in en.body


def test_overdue_and_escalation_are_urgent_the_rest_wait_for_a_digest() -> None:
    assert {"task.overdue", "task.escalated"} == audiences.URGENT


def test_preview_renders_a_task_notice() -> None:
    from typer.testing import CliRunner

    from services.notify.cli import app as notify_cli

    shown = CliRunner().invoke(notify_cli, ["preview", "task.escalated", "--lang", "zh-CN"])
    assert shown.exit_code == 0, shown.output
    assert "task.escalated · escalated_to · zh-CN" in shown.output and "提级督办" in shown.output
