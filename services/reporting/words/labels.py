"""Labels of figures, columns, scopes and decisions: zh-CN first, English on request."""

from __future__ import annotations

FIELDS = {
    "key": ("分组", "group"),
    "name": ("名称", "name"),
    "received": ("收到举报", "reports received"),
    "cases": ("案件", "cases"),
    "accepted": ("受理", "accepted"),
    "rejected": ("不予受理", "rejected"),
    "substantiated": ("查实（含部分查实）", "substantiated (or partly)"),
    "rectified": ("整改验收", "rectification verified"),
    "overdue": ("超期", "overdue"),
    "transferred": ("移送", "transferred"),
    "exposed": ("曝光", "exposed"),
    "median_days_to_accept": ("受理用时中位数（天）", "median days to accept"),
    "median_days_to_close": ("办结用时中位数（天）", "median days to close"),
    "case_id": ("案件编号", "case id"),
    "county": ("县市区代码", "county code"),
    "county_name": ("县市区", "county"),
    "handling_unit": ("承办单位", "handling unit"),
    "responsible_unit": ("被反映单位", "unit complained about"),
    "problem": ("问题编号", "problem number"),
    "channel": ("渠道", "channel"),
    "status": ("状态", "status"),
    "finding": ("核查结论", "finding"),
    "received_at": ("收到时间", "received at"),
    "accepted_at": ("受理时间", "accepted at"),
    "concluded_at": ("办结结论时间", "concluded at"),
    "closed_at": ("结案时间", "closed at"),
    "overdue_kinds": ("超期环节", "deadlines missed"),
    "transfer_to": ("移送机关", "transferred to"),
    "rectifying_unit": ("整改单位", "rectifying unit"),
    "rectified_at": ("整改验收时间", "rectification verified at"),
    "exposed_at": ("曝光时间", "exposed at"),
}


RATES = {
    "acceptance_rate": ("受理率", "acceptance rate", "accepted", "cases"),
    "substantiation_rate": ("查实率", "substantiation rate", "substantiated", "cases"),
    "rectification_rate": ("整改验收率", "rectification rate", "rectified", "substantiated"),
    "overdue_rate": ("超期率", "overdue rate", "overdue", "cases"),
    "transfer_rate": ("移送率", "transfer rate", "transferred", "cases"),
}


TOTAL = ("合计", "total")


YES_NO = {True: ("是", "yes"), False: ("否", "no")}


SCOPES = {
    "unit": ("单位", "unit"),
    "county": ("县市区", "county"),
    "department": ("部门", "department"),
}

# Whose accountability an alert is counted under (alerts/rule.py SCOPE_RESPONSIBILITY).
RESPONSIBILITIES = {
    "main": ("主体责任", "primary responsibility"),
    "supervision": ("监督责任", "supervisory responsibility"),
}


def rates(row: dict[str, int]) -> dict[str, float | None]:
    """The rates the dashboard derives from the counts (None when the base is 0)."""
    out: dict[str, float | None] = {}
    for name, (_, _, part, base) in RATES.items():
        out[name] = round(row[part] / row[base], 4) if row.get(base) else None
    return out


DECISION_LABELS = {
    "interview": ("约谈", "interview (talk with the leaders)"),
    "circular": ("通报", "circular (public criticism)"),
    "listed_supervision": ("挂牌督办", "listed supervision"),
    "rectify_within_deadline": ("责令限期整改", "ordered to rectify within a deadline"),
    "accountability": ("问责", "accountability (discipline)"),
    "other": ("其他", "other"),
}


# A case's status and finding as the unit page lists them (the cases service's words).
STATUSES = {
    "received": ("待受理", "received"),
    "accepted": ("已受理", "accepted"),
    "rejected": ("不予受理", "rejected"),
    "investigating": ("调查核实中", "investigating"),
    "concluded": ("已形成结论", "concluded"),
    "rectifying": ("整改中", "rectifying"),
    "rectification_submitted": ("整改待验收", "rectification submitted"),
    "rectified": ("整改已验收", "rectified"),
    "transferred": ("已移送", "transferred"),
    "closed": ("已办结", "closed"),
}
FINDINGS = {
    "substantiated": ("属实", "substantiated"),
    "partly": ("部分属实", "partly substantiated"),
    "unsubstantiated": ("不属实", "unsubstantiated"),
}
