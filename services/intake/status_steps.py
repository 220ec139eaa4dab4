"""The public wording of case events: which events the reporter sees as a step, in zh-CN and
English, filled from the event's public fields only (never internal notes, officer names or the
accused's details)."""

from __future__ import annotations

from shared.events.cases import CaseEvent, CaseExtensionDecided

# event type -> (zh, en) filled from the event's public fields; absent: no step for it
STEPS: dict[str, tuple[str, str]] = {
    "case.opened": ("已登记，正在分办", "Registered; being assigned"),
    "case.merged": ("已并入正在办理的同一事项", "Linked to a case already being handled"),
    "case.accepted": ("已受理", "Accepted"),
    "case.rejected": ("不予受理：{public_reason}", "Not accepted: {public_reason}"),
    "case.investigation_started": ("正在调查核实", "Under investigation"),
    "case.concluded": ("调查结束：{public_summary}", "Investigation concluded: {public_summary}"),
    "case.rectification_required": ("已责令整改", "Rectification ordered"),
    "case.rectification_submitted": (
        "整改材料已提交，等待验收",
        "Rectification reported; awaiting verification",
    ),
    "case.rectification_verified": ("整改已验收", "Rectification verified"),
    "case.rectification_rejected": ("整改未通过验收，继续整改", "Rectification not accepted"),
    "case.transferred": ("已移交有关机关依法处理", "Transferred to the competent authority"),
    "case.transfer_objected": (
        "接收机关提出异议，事项退回继续办理",
        "The receiving authority declined; handling continues",
    ),
    "case.extension_decided": (
        "办理期限延长 {days} 天：{public_reason}",
        "Handling extended by {days} days: {public_reason}",
    ),
    "case.exposed": (
        "已查实并公开通报：{exposure_text}",
        "Verified and made public: {exposure_text}",
    ),
    "case.closed": ("已办结", "Closed"),
    "case.reopened": ("已重新办理", "Reopened"),
    "case.re_review_requested": (
        "已受理复核请求，由上一级机关复核",
        "Re-review accepted; the organ one level up reviews it",
    ),
    "case.re_reviewed": (
        "复核意见（最终结果）：{public_summary}",
        "Re-review opinion (final): {public_summary}",
    ),
    # Closing the loop (issue 26): how an unsatisfied rating was answered.
    "case.sent_back": (
        "不满意意见经审核，已发回重新办理",
        "Your rating was reviewed: the case was sent back to be handled again",
    ),
    "case.result_upheld": (
        "不满意意见经审核，维持原办理结果：{public_reason}",
        "Your rating was reviewed: the result stands: {public_reason}",
    ),
}


def step_texts(event_type: str, payload: CaseEvent) -> tuple[str, str] | None:
    """The step the reporter sees for this event, or None."""
    template = STEPS.get(event_type)
    if template is None:
        return None
    if isinstance(payload, CaseExtensionDecided) and not payload.approved:
        return None  # a refused extension changes nothing the reporter waits for
    values = {k: ("" if v is None else v) for k, v in payload.model_dump().items()}
    return template[0].format(**values), template[1].format(**values)
