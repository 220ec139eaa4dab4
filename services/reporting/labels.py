"""Words for people: zh-CN first, English on request; names of counties, units, problems."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from shared.directory import Directory
from shared.taxonomy import Taxonomy

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


def rates(row: dict[str, int]) -> dict[str, float | None]:
    """The rates the dashboard derives from the counts (None when the base is 0)."""
    out: dict[str, float | None] = {}
    for name, (_, _, part, base) in RATES.items():
        out[name] = round(row[part] / row[base], 4) if row.get(base) else None
    return out


@dataclass(frozen=True)
class Names:
    """Display names from the directory and the problem list, in one language."""

    directory: Directory
    taxonomy: Taxonomy
    english: bool = False

    def word(self, pair: tuple[str, str]) -> str:
        return pair[1] if self.english else pair[0]

    def field(self, name: str) -> str:
        return self.word(FIELDS[name])

    @cached_property
    def _counties(self) -> dict[str, str]:
        pairs = self.directory.counties() + [(self.directory.city_code, self.directory.city.name)]
        return dict(pairs)

    def county(self, code: str | None) -> str:
        return self._counties.get(code or "", code or "")

    def unit(self, unit_id: str | None) -> str:
        if not unit_id or unit_id not in self.directory:
            return unit_id or ""
        unit = self.directory.unit(unit_id)
        return (unit.name_en or unit.name) if self.english else unit.name

    def problem(self, number: str | int | None) -> str:
        if number in (None, "", "unclassified"):
            return "未归类" if not self.english else "unclassified"
        try:
            item = self.taxonomy.problem(int(number))
        except (KeyError, ValueError):
            return str(number)
        return f"{item.number} {item.title_en if self.english else item.title}"

    def key(self, group_by: str, key: str) -> str:
        """The display name of a stats group key."""
        if group_by == "county":
            return self.county(key)
        if group_by == "unit":
            return self.unit(key)
        if group_by == "problem":
            return self.problem(key)
        return key
