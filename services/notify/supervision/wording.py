"""A supervision notice's wording: the same Jinja2 environment and templates directory as the
case notices (`templates/<lang>/<event type>.<audience>.j2`), extending `_task.j2` or
`_inspection.j2` for the greeting and footer. The templates see the event's fields only."""

from __future__ import annotations

from typing import Any

from services.notify import rendering
from services.notify.rendering import Message
from shared.directory import Directory
from shared.events import EventData
from shared.events.cases.supervision import InspectionEvent
from shared.events.cases.tasks import TaskEvent

SUBDIR = "supervision"  # templates/<lang>/supervision/: their own family beside the case notices
# The plan's measures by number, as cases' measures.yaml titles them (notices name them).
MEASURES = {
    "zh-CN": {
        "一": "（一）加强学习培训", "二": "（二）规范驻村帮扶", "三": "（三）改进调查研究",
        "四": "（四）减轻基层负担", "五": "（五）提高工作效率", "九": "（九）查处突出问题",
    },
    "en": {
        "一": "(1) Training", "二": "(2) Village work teams", "三": "(3) Research visits",
        "四": "(4) Burden reduction", "五": "(5) Efficiency", "九": "(9) Prominent problems",
    },
}  # fmt: skip


def render_supervised(
    event_type: str,
    audience: str,
    payload: EventData,
    lang: str,
    *,
    directory: Directory,
    extra: dict[str, Any] | None = None,
) -> Message:
    """The notice of a task or inspection event for one audience, in `lang`."""
    template = rendering.environment(lang).get_template(f"{SUBDIR}/{event_type}.{audience}.j2")
    context = _context(payload, lang, directory)
    context.update({"event_type": event_type, **(extra or {})})
    return rendering.message_of(template, context)


def has_template(event_type: str, audience: str, lang: str) -> bool:
    return (rendering.TEMPLATES / lang / SUBDIR / f"{event_type}.{audience}.j2").exists()


def _context(payload: EventData, lang: str, directory: Directory) -> dict[str, Any]:
    data = payload.model_dump()
    context: dict[str, Any] = {
        **data,
        "e": data,
        "unit_name": rendering.unit_names(directory, lang),
        "county_name": lambda code: rendering.county_name(directory, code),
        "lang": lang,
    }
    if isinstance(payload, TaskEvent):
        measure = MEASURES[lang].get(payload.measure, payload.measure)
        context |= {"short_id": payload.task_id[:8], "measure_title": measure}
        context["recipient"] = payload.responsible_unit
    elif isinstance(payload, InspectionEvent):
        day = payload.visit_on
        visit_day = day.isoformat() if lang == "en" else f"{day.year}年{day.month}月{day.day}日"
        context |= {"short_id": payload.inspection_id[:8], "recipient": payload.unit}
        context["visit_day"] = visit_day
    return context
