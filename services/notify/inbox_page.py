"""What the inbox pages (issue 17) show around the notices: their words (zh-CN first, English
with `?lang=en`), the officials' frame, and the unit's delivery preferences as configured."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse

from services.notify.context import Context
from shared import officials
from shared.websession import PageSession

LOCAL = ZoneInfo("Asia/Shanghai")
templates = officials.templates(Path(__file__).with_name("templates"))
templates.env.filters["local"] = lambda value: (
    datetime.fromisoformat(value).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if value else ""
)

WORDS: dict[str, tuple[str, str]] = {
    "inbox": ("通知", "Inbox"),
    "counts": ("共 {total} 条，未读 {unread} 条", "{total} notices, {unread} unread"),
    "none": ("暂无通知。", "No notices."),
    "unread": ("未读", "Unread"),
    "read": ("已读", "Read"),
    "mark_read": ("标为已读", "Mark read"),
    "mark_all": ("全部标为已读", "Mark all read"),
    "marked_all": ("已将 {count} 条通知标为已读。", "{count} notices marked read."),
    "case": ("案件", "Case"),
    "newer": ("上一页", "Newer"),
    "older": ("下一页", "Older"),
    "page": ("第 {page} 页", "Page {page}"),
    "preferences": ("通知方式", "Delivery preferences"),
    "prefs_note": (
        "本单位的邮箱、短信号码和每日汇总由系统管理员在通知联系人配置文件中设置，此处只能查看；"
        "如需更改，请联系管理员。",
        "Your unit's addresses, SMS numbers and daily digest are set by the administrator in the "
        "notification contacts file and can only be viewed here; ask the administrator to "
        "change them.",
    ),
    "email": ("邮箱", "Email"),
    "sms": ("短信（仅紧急通知）", "SMS (urgent notices only)"),
    "digest": ("每日汇总", "Daily digest"),
    "digest_daily": (
        "每天 {at} 汇总发送非紧急通知",
        "Non-urgent notices in one message daily at {at}",
    ),
    "digest_none": ("逐条发送", "Each notice as it comes"),
    "language": ("邮件语言", "Mail language"),
    "not_set": ("未设置", "Not set"),
    "channel_off": ("（本系统未启用此渠道）", "(this channel is not enabled here)"),
    "back": ("返回通知", "Back to the inbox"),
    "refused_title": ("无法完成", "Not allowed"),
    "no_inbox": ("您的角色没有通知收件箱", "Your role has no inbox"),
}


def page_words(english: bool) -> dict[str, str]:
    return {key: pair[1] if english else pair[0] for key, pair in WORDS.items()}


def is_english(request: Request, form: Any = None) -> bool:
    chosen = (form or {}).get("lang") or request.query_params.get("lang")
    return chosen == "en"


def render(
    request: Request, ctx: Context, session: PageSession, template: str,
    context: dict[str, Any], english: bool, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    base = officials.frame(request, ctx.settings, session, english, "notify") | {
        "w": page_words(english),
        "lang_field": "en" if english else "",
        "q": "?lang=en" if english else "",
        "amp": "&lang=en" if english else "",
        "case_url": ctx.settings.page_url("cases", "/case/"),
    }
    response = templates.TemplateResponse(request, template, base | context, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response


def preferences(ctx: Context, unit: str) -> dict[str, Any]:
    """The unit's contact as the contacts file gives it, and which channels run here."""
    contact = ctx.contacts.for_unit(unit)
    return {
        "email": contact.email,
        "sms": contact.sms,
        "digest": contact.digest,
        "digest_time": ctx.settings.digest_time,
        "language": contact.language,
        "email_on": ctx.settings.email_enabled,
        "sms_on": ctx.settings.sms_enabled,
    }
