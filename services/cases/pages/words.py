"""The pages' words, zh-CN first with English: statuses, actions, fields, marks. One place, so
a page and its refusals read alike."""

from __future__ import annotations

from typing import Any

Pair = tuple[str, str]

STATUS: dict[str, Pair] = {
    "received": ("已接收", "received"),
    "accepted": ("已受理", "accepted"),
    "rejected": ("不予受理", "rejected"),
    "investigating": ("调查中", "investigating"),
    "concluded": ("已办结待处理", "concluded"),
    "rectifying": ("整改中", "rectifying"),
    "rectification_submitted": ("整改待验收", "rectification submitted"),
    "rectified": ("整改已验收", "rectified"),
    "transferred": ("已移送", "transferred"),
    "closed": ("已结案", "closed"),
}
ACTION: dict[str, Pair] = {
    "accept": ("受理", "Accept"),
    "reject": ("不予受理", "Reject"),
    "assign": ("交办（改派承办单位）", "Assign to another unit"),
    "start-investigation": ("开始调查", "Start investigation"),
    "conclude": ("办结（调查结论）", "Conclude"),
    "require-rectification": ("责令整改", "Require rectification"),
    "submit-rectification": ("提交整改材料", "Submit rectification"),
    "verify-rectification": ("验收整改", "Verify rectification"),
    "reject-rectification": ("退回整改", "Reject rectification"),
    "transfer": ("移送", "Transfer"),
    "request-extension": ("申请延期", "Request an extension"),
    "decide-extension": ("审批延期", "Decide the extension"),
    "propose-exposure": ("提请曝光", "Propose exposure"),
    "approve-exposure": ("批准曝光", "Approve exposure"),
    "escalate": ("上级督办", "Escalate"),
    "close": ("结案", "Close"),
    "reopen": ("重新办理", "Reopen"),
    "reclassify": ("调整问题类别", "Reclassify"),
    "note": ("添加备注", "Add a note"),
    "object-transfer": ("对移送提出异议", "Object to the transfer"),
    "reveal-identity": ("查看举报人身份", "Reveal the reporter's identity"),
    "decide-re-review": ("复核意见（最终）", "Answer the re-review (final)"),
    "file-part": ("报送协办意见", "File the co-unit's part"),
    "recheck": ("整改“回头看”", "Re-check the rectification"),
    "dispose": ("线索处置（纪检监察）", "Dispose of the clue (discipline inspection)"),
    # Closing the loop (issue 26)
    "send-back": ("发回重办", "Send back for re-handling"),
    "uphold-result": ("维持办理结果", "Uphold the result"),
    "dispute-assignment": ("申请退单", "Dispute the assignment"),
    "decide-dispute": ("审核退单", "Decide the dispute"),
    "urge": ("催办（附期限即督办）", "Urge (with a date: formal supervision)"),
}
FIELD: dict[str, Pair] = {
    "reason": ("理由", "Reason"),
    "unit": ("单位", "Unit"),
    "finding": ("调查结论", "Finding"),
    "summary": ("办理结果（告知举报人）", "Summary (told to the reporter)"),
    "due": ("整改期限", "Due date"),
    "measures": ("整改要求", "Measures required"),
    "evidence": ("整改材料说明", "Evidence"),
    "to": ("移送机关", "Organ"),
    "days": ("延期天数", "Days"),
    "approve": ("审批意见", "Decision"),
    "text": ("内容", "Text"),
    "no_rectification_needed": ("无需整改", "No rectification needed"),
    "problem": ("问题类别", "Problem"),
    "upheld": ("维持复查意见", "Uphold the review"),
    "opinion": ("复核意见（告知举报人）", "Opinion (told to the reporter)"),
    "passed": ("整改是否到位", "Did the rectification hold"),
    "findings": ("回头看情况", "What the re-check found"),
    "way": ("处置方式", "Way of disposal"),
    "decision": ("审核意见", "Decision"),
    "form": ("", ""),
}
FINDING: dict[str, Pair] = {
    "substantiated": ("属实", "substantiated"),
    "partly": ("部分属实", "partly substantiated"),
    "unsubstantiated": ("不属实", "unsubstantiated"),
}
ORGAN: dict[str, Pair] = {
    "discipline_inspection": ("纪检监察机关", "discipline inspection"),
    "procuratorate": ("检察机关", "procuratorate"),
}
CHANNEL: dict[str, Pair] = {
    "web": ("网上举报", "web"),
    "hotline": ("12345热线", "hotline"),
    "letter": ("来信", "letter"),
    "visit": ("来访", "visit"),
    "inspection": ("督查发现", "inspection"),
    "media": ("媒体反映", "media"),
    "integrator": ("系统对接", "integrator"),
}
DEADLINE_STATE: dict[str, Pair] = {
    "running": ("计时中", "running"),
    "warned": ("即将到期", "due soon"),
    "missed": ("已逾期", "missed"),
    "met": ("已完成", "met"),
    "stopped": ("已停止", "stopped"),
    "suspended": ("暂停（已移送）", "suspended (transferred)"),
    "lapsed": ("期满", "lapsed"),
}
UI: dict[str, Pair] = {
    "workbench": ("工作台", "Workbench"),
    "case": ("案件", "Case"),
    "status": ("状态", "Status"),
    "county": ("县（市、区）", "County"),
    "channel": ("来源渠道", "Channel"),
    "period_from": ("收件起始日", "Received from"),
    "period_to": ("收件截止日", "Received to"),
    "search": ("搜索（编号或内容）", "Search (id or text)"),
    "filter": ("筛选", "Filter"),
    "any": ("全部", "any"),
    "next_deadline": ("最近期限", "Next deadline"),
    "handling_unit": ("承办单位", "Handling unit"),
    "received_at": ("收件时间", "Received"),
    "overdue": ("已逾期", "overdue"),
    "soon": ("即将到期", "due soon"),
    "none": ("无", "none"),
    "total": ("共", "Total"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "page": ("第 {n} 页", "page {n}"),
    "no_cases": ("没有符合条件的案件", "No cases match"),
    "report": ("举报内容", "Report"),
    "classification": ("问题分类", "Classification"),
    "confidence": ("置信度", "confidence"),
    "evidence": ("依据词语", "evidence"),
    "candidates": ("分类候选（前三）", "Classifier's candidates (top three)"),
    "routing": ("分办与依据", "Routing and its rule"),
    "deadlines": ("期限", "Deadlines"),
    "basis": ("法定依据", "Legal basis"),
    "history": ("办理记录", "History"),
    "notes": ("备注", "Notes"),
    "attachments": ("附件与来件", "Attachments and reports"),
    "actions": ("可办理的操作", "What you may do"),
    "no_actions": ("您目前无可办理的操作", "Nothing for you to do now"),
    "submit": ("提交", "Submit"),
    "stale": (
        "案件在您打开后已有变化，未保存您的操作。以下是案件的当前状态，请核对后重新操作。",
        "The case changed since you opened it; your action was not saved. Below is its"
        " current state: check it and act again.",
    ),
    "done": ("已保存", "Saved"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "approve_yes": ("批准", "approve"),
    "approve_no": ("不批准", "refuse"),
    "lead_unit": ("牵头单位", "Lead unit"),
    "accused": ("被举报单位", "Accused units"),
    "transfer_to": ("移送机关", "Transferred to"),
    "receiving_unit": ("接收单位", "Receiving unit"),
    "problem_none": ("未分类", "unclassified"),
    "anonymous_note": (
        "举报人身份已封存，本页不显示。",
        "The reporter's identity is sealed and not shown here.",
    ),
    "working_left": ("剩 {n} 个工作日", "{n} working days left"),
    "calendar_left": ("剩 {n} 天", "{n} days left"),
    "working_over": ("已逾期 {n} 个工作日", "{n} working days overdue"),
    "calendar_over": ("已逾期 {n} 天", "{n} days overdue"),
    "provisional": ("（节假日表未定，暂按周末计算）", "(no holiday table yet: provisional)"),
    "approvals": ("待审批", "Approvals"),
    "extensions": ("待审批的延期申请", "Extensions waiting"),
    "exposures": ("待批准的曝光", "Exposures waiting"),
    "verifications": ("待验收的整改", "Rectifications to verify"),
    "sub_overdue": ("下级单位逾期案件", "Overdue cases of units below"),
    "escalations": ("上级督办的案件", "Escalated cases"),
    "disputes": ("待审核的退单申请", "Disputed assignments to decide"),
    "raised": ("列入市级提级督办的案件（多次重办或督办无果）", "Raised to city supervision"),
    "triage": ("分办", "Triage"),
    "triage_intro": (
        "未能自动分类或确定承办单位的案件：请调整问题类别或交办。",
        "Cases the system could not classify or route: reclassify or assign them.",
    ),
    "transfers": ("移送案件", "Transfers"),
    "exposure_board": ("曝光审定", "Exposure board"),
    "exposed": ("已曝光", "Exposed"),
    "audit": ("审计日志", "Audit trail"),
    "verify_chain": ("校验哈希链", "Verify the chain"),
    "chain_ok": ("审计日志完整：共 {n} 条", "The trail is intact: {n} entries"),
    "chain_broken": ("审计日志已被篡改，异常条目：{ids}", "The trail is BROKEN at entries: {ids}"),
    "who": ("操作人", "Who"),
    "what": ("操作", "What"),
    "when": ("时间", "When"),
    "where": ("来源", "From"),
    "actor": ("操作人账号", "Actor"),
    "role": ("角色", "Role"),
    "action_filter": ("操作类型", "Action"),
    "case_filter": ("案件编号", "Case id"),
    "identity": ("举报人身份", "Reporter's identity"),
    "identity_once": (
        "身份仅在本页显示一次，已记录查看人及理由。请勿截图或外传。",
        "Shown on this page once; who opened it and why is recorded. Do not copy it.",
    ),
    "name": ("姓名", "Name"),
    "phone": ("电话", "Phone"),
    "email": ("电子邮箱", "Email"),
    "back": ("返回案件", "Back to the case"),
    "refused": ("无法完成", "Refused"),
    "status_counts": ("按状态统计", "By status"),
    "open": ("打开", "Open"),
    "cases_word": ("件", "cases"),
    "uphold": ("维持原交办", "uphold the assignment"),
    "reassign": ("改派", "reassign"),
}


def say(pair: Pair | None, english: bool, fallback: str = "") -> str:
    return fallback if pair is None else pair[1 if english else 0]


def words(english: bool) -> dict[str, str]:
    """The page's UI words in its language."""
    return {key: say(pair, english) for key, pair in UI.items()}


def helpers(english: bool) -> dict[str, Any]:
    """Functions the templates call to name things in the page's language."""

    def named(table: dict[str, Pair]) -> Any:
        return lambda value: say(table.get(str(value)), english, str(value or ""))

    return {
        "status_word": named(STATUS),
        "action_word": named(ACTION),
        "field_word": named(FIELD),
        "finding_word": named(FINDING),
        "organ_word": named(ORGAN),
        "channel_word": named(CHANNEL),
        "deadline_state_word": named(DEADLINE_STATE),
    }
