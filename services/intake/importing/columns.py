"""An import's columns: named like the report body's fields (or their Chinese labels), with
`reporter_name`, `reporter_phone` and `reporter_email` for the reporter."""

from __future__ import annotations

from typing import Any

from services.intake.schemas.report import ReportIn

REPORTER = {"reporter_name": "name", "reporter_phone": "phone", "reporter_email": "email"}
FIELDS = (set(ReportIn.model_fields) - {"reporter", "attachments"}) | set(REPORTER)
REQUIRED = ("county", "content")
ALIASES = {
    "渠道": "channel",
    "县市区代码": "county",
    "县区代码": "county",
    "内容": "content",
    "问题内容": "content",
    "标题": "title",
    "乡镇": "township",
    "村": "village",
    "被举报单位": "subject_unit",
    "被举报单位编号": "subject_unit_id",
    "被举报人": "subject_person",
    "是否单位负责人": "subject_is_head",
    "问题编号": "category_hint",
    "发生日期": "occurred_on",
    "举报人姓名": "reporter_name",
    "举报人电话": "reporter_phone",
    "举报人邮箱": "reporter_email",
}


def column(cell: Any) -> str:
    """The field a header cell names."""
    name = str(cell or "").strip()
    return ALIASES.get(name, name.lower())


def column_of(loc: list[Any]) -> list[Any]:
    """An error location as the import's column: `reporter.phone` is `reporter_phone`."""
    if len(loc) >= 2 and loc[0] == "reporter" and f"reporter_{loc[1]}" in REPORTER:
        return [f"reporter_{loc[1]}", *loc[2:]]
    return loc
