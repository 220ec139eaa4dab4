"""The checks a report's schema cannot make: against settings, the directory, the problem list
and today's date."""

from __future__ import annotations

from datetime import date

from services.intake.context import Context
from services.intake.schemas.report import ReportIn

Problem = tuple[tuple[str | int, ...], str, str]  # (loc below "body", zh, en)


def check_report(ctx: Context, body: ReportIn, today: date) -> list[Problem]:
    """The problems found, field by field (none: the report may be stored)."""
    problems: list[Problem] = []
    if body.county not in ctx.counties:
        problems.append((("county",), "未知的县市区代码", "unknown county code"))
    elif ctx.settings.county and body.county != ctx.settings.county:
        # A county's own intake (at its leaf) may publish its county's reports only: another
        # county's would wait in the outbox for ever.
        problems.append(
            (
                ("county",),
                "此处只受理本县市区的反映",
                "this intake takes its own county's reports only",
            )
        )
    low, high = ctx.settings.content_min, ctx.settings.content_max
    if not low <= len(body.content) <= high:
        problems.append(
            (
                ("content",),
                f"内容长度应为 {low}–{high} 个字符",
                f"content must have {low} to {high} characters",
            )
        )
    if body.category_hint is not None and body.category_hint not in ctx.taxonomy.numbers():
        problems.append(
            (("category_hint",), "问题清单中没有这个编号", "no such problem number in the list")
        )
    if body.occurred_on is not None and body.occurred_on > today:
        problems.append(
            (("occurred_on",), "发生日期不能晚于今天", "occurred_on cannot be in the future")
        )
    if body.subject_unit_id is not None and body.subject_unit_id not in ctx.directory:
        problems.append((("subject_unit_id",), "单位目录中没有这个单位", "unknown unit id"))
    return problems
