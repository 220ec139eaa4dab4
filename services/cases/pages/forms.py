"""The action forms of the case page: the fields each action's body needs (from the state
machine's payload models), the form's strings read back into that body, and a refusal's
problems put next to the fields they concern."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.cases.domain.vocabulary import Disposal, Finding, Organ
from shared.directory import Directory
from shared.errors import Refusal
from shared.taxonomy import load_taxonomy

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # textarea | select | date | number | yesno | checkbox
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()  # (value, label key or text)


def _reason(required: bool = True) -> Field:
    return Field("reason", "textarea", required)


FIELDS: dict[str, tuple[Field, ...]] = {
    "reject": (_reason(),),
    "reject-rectification": (_reason(),),
    "escalate": (_reason(),),
    "reopen": (_reason(),),
    "object-transfer": (_reason(),),
    "reveal-identity": (_reason(),),
    "assign": (Field("unit", "select"),),
    "conclude": (
        Field("finding", "select", choices=tuple((f.value, f.value) for f in Finding)),
        Field("summary", "textarea"),
    ),
    "require-rectification": (
        Field("due", "date"),
        Field("measures", "textarea"),
        Field("unit", "select", required=False),
    ),
    "submit-rectification": (Field("evidence", "textarea"),),
    "transfer": (
        Field("to", "select", choices=tuple((o.value, o.value) for o in Organ)),
        _reason(),
    ),
    "request-extension": (Field("days", "number"), _reason()),
    "decide-extension": (Field("approve", "yesno"), _reason(required=False)),
    "propose-exposure": (Field("text", "textarea"),),
    "close": (Field("no_rectification_needed", "checkbox", False), _reason(required=False)),
    "reclassify": (Field("problem", "select"),),
    "note": (Field("text", "textarea"),),
    "decide-re-review": (Field("upheld", "yesno"), Field("opinion", "textarea")),
    "file-part": (Field("text", "textarea"),),
    "recheck": (Field("passed", "yesno"), Field("findings", "textarea")),
    "dispose": (
        Field("way", "select", choices=tuple((d.value, d.value) for d in Disposal)),
        _reason(required=False),
    ),
    "send-back": (_reason(),),
    "uphold-result": (_reason(),),
    "dispute-assignment": (_reason(),),
    "decide-dispute": (
        Field("decision", "select", choices=(("uphold", "uphold"), ("reassign", "reassign"))),
        Field("unit", "select", required=False),
        _reason(required=False),
    ),
    "urge": (Field("text", "textarea"), Field("due", "date", required=False)),
}


def unit_choices(directory: Directory, english: bool) -> list[tuple[str, str]]:
    units = sorted(directory.units(), key=lambda u: u.id)
    return [(u.id, (u.name_en or u.name) if english else u.name) for u in units]


def problem_choices(english: bool) -> list[tuple[str, str]]:
    problems = load_taxonomy().problems()
    return [(str(p.number), f"{p.number}. {p.title_en if english else p.title}") for p in problems]


def payload_of(action: str, form: Any) -> dict[str, Any]:
    """The action's body from the form's strings: what pydantic and `decide` then check, so a
    page refuses exactly what the JSON route refuses."""
    body: dict[str, Any] = {}
    for field in FIELDS.get(action, ()):
        raw = form.get(field.name)
        value = raw.strip() if isinstance(raw, str) else ""
        if field.kind == "checkbox":
            body[field.name] = value == "on"
        elif field.kind == "yesno" and value in ("yes", "no"):
            body[field.name] = value == "yes"
        elif (
            field.kind == "number"
            and value.isdigit()
            or field.name == "problem"
            and value.isdigit()
        ):
            body[field.name] = int(value)
        elif value:
            body[field.name] = value
    return body


def errors_of(refusal: Refusal, english: bool) -> Errors:
    """A refusal's problems by form field; those without a field go under `form`."""
    errors: Errors = {}
    for problem in refusal.problems:
        parts = [p for p in problem.loc if p != "body"]
        errors.setdefault(str(parts[0]) if parts else "form", []).append(problem.text(english))
    return errors
