"""Notices' wording: Jinja2 templates, one per event type and audience, zh-CN first and English.

`templates/<lang>/<event type>.<audience>.j2` defines the blocks `subject` and `body` (and
optionally `sms`, else the subject is the text message), extending `_unit.j2` or
`_reporter.j2` for the greeting and footer. Templates see the event's public fields only;
nothing personal is ever passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from shared.deadlines import load_profiles
from shared.directory import Directory, load_directory
from shared.events.cases import CaseEvent
from shared.taxonomy import load_taxonomy

TEMPLATES = Path(__file__).with_name("templates")
LANGUAGES = ("zh-CN", "en")
LOCAL = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Message:
    """What a channel sends: a subject, a plain-text body and a short text for SMS; `summary`
    is the body without greeting and footer (what a digest lists)."""

    subject: str
    body: str
    sms: str
    summary: str


@lru_cache(maxsize=len(LANGUAGES))
def environment(lang: str) -> Environment:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / lang),
        undefined=StrictUndefined,
        autoescape=False,  # plain text: mail bodies, SMS and inbox entries
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = lambda value: _day(value, lang)
    return env


def template_name(event_type: str, audience: str) -> str:
    # A co-unit (协办) is told of several steps by one template that names the step.
    if audience == "co_unit":
        return "_co_unit.j2"
    return f"{event_type}.{audience}.j2"


def has_template(event_type: str, audience: str, lang: str = "zh-CN") -> bool:
    return (TEMPLATES / lang / template_name(event_type, audience)).exists()


def render(
    event_type: str,
    audience: str,
    payload: CaseEvent,
    lang: str,
    *,
    directory: Directory | None = None,
    extra: dict[str, Any] | None = None,
) -> Message:
    """Render the notice for one audience of one event."""
    template = environment(lang).get_template(template_name(event_type, audience))
    context = _context(payload, lang, directory or load_directory())
    context.update({"event_type": event_type, **(extra or {})})
    return _message(template, context)


def render_digest(
    unit: str, items: Sequence[Message], day: str, lang: str, directory: Directory | None = None
) -> Message:
    """One message holding a day's non-urgent notices for a unit."""
    template = environment(lang).get_template("digest.j2")
    names = _names(directory or load_directory(), lang)
    context = {"unit": unit, "unit_name": names, "items": list(items), "day": day}
    return _message(template, context)


def message_of(template: Template, context: dict[str, Any]) -> Message:
    """A rendered template's subject, body, SMS text and summary (other notice families'
    wording, e.g. the supervision notices, uses it too)."""
    return _message(template, context)


def unit_names(directory: Directory, lang: str):  # type: ignore[no-untyped-def]
    """unit id -> its name in `lang` (for templates)."""
    return _names(directory, lang)


def county_name(directory: Directory, code: str) -> str:
    return _county(directory, code)


def _message(template: Template, context: dict[str, Any]) -> Message:
    subject = _block(template, "subject", context)
    sms = _block(template, "sms", context) or subject
    return Message(
        subject=" ".join(subject.split()),
        body=template.render(context).strip() + "\n",
        sms=" ".join(sms.split()),
        summary=_block(template, "body", context),
    )


def _block(template: Template, name: str, context: dict[str, Any]) -> str:
    block = template.blocks.get(name)
    return "".join(block(template.new_context(context))).strip() if block else ""


def _context(payload: CaseEvent, lang: str, directory: Directory) -> dict[str, Any]:
    data = payload.model_dump()
    names = _names(directory, lang)
    return {
        **data,
        "e": data,
        "short_id": payload.case_id[:8],
        "unit_name": names,
        "county_name": lambda code: _county(directory, code),
        "problem_title": lambda number: _problem(number, lang),
        "clock_name": lambda kind: _clock(kind, lang),
        "lang": lang,
        "recipient": payload.handling_unit,
        "reported_on": None,
    }


def _names(directory: Directory, lang: str):  # type: ignore[no-untyped-def]
    def name(unit_id: str | None) -> str:
        if not unit_id or unit_id not in directory:
            return unit_id or ""
        unit = directory.unit(unit_id)
        return unit.name_en if lang == "en" and unit.name_en else unit.name

    return name


def _county(directory: Directory, code: str) -> str:
    if code == directory.city_code:
        return directory.city.name
    return dict(directory.counties()).get(code, code)


def _problem(number: int | None, lang: str) -> str:
    if number is None:
        return "未分类" if lang == "zh-CN" else "not yet classified"
    try:
        problem = load_taxonomy().problem(number)
    except KeyError:
        return f"#{number}"
    return f"{number}. {problem.title_en if lang == 'en' else problem.title}"


@lru_cache(maxsize=1)
def _clocks() -> dict[str, Any]:
    return dict(load_profiles().default.clocks)


# Deadlines that come from no profile rule: a formal 督办's date is set by whoever urges.
OWN_CLOCKS = {"supervision": ("督办期限", "the supervision due date")}


def _clock(kind: str, lang: str) -> str:
    rule = _clocks().get(kind)
    if rule is None:
        own = OWN_CLOCKS.get(kind)
        return (own[1] if lang == "en" else own[0]) if own else kind
    return (rule.summary_en if lang == "en" else rule.summary) or kind


def _day(value: datetime | str | None, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(LOCAL)
    if lang == "en":
        return local.strftime("%d %b %Y")
    return f"{local.year}年{local.month}月{local.day}日"
