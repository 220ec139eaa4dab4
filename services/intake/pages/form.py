"""The report form as the API's body, and the API's field errors back on the form's fields.

No rules of its own beyond the pickers: the body is validated by `schemas.ReportIn` and
`checks.check_report`, as `POST /api/v1/reports` is; their `loc`s name the form's fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from services.intake.context import Context
from services.intake.pages.places import township_name
from services.intake.schemas.report import ReportIn
from shared.errors import Refusal, localise

TEXT_FIELDS = ("county", "village", "subject_unit", "subject_person", "content")
Errors = dict[str, list[str]]


def body_of(ctx: Context, form: dict[str, str], t: dict[str, str]) -> tuple[dict[str, Any], Errors]:
    """The API body the form says, and the pickers' own problems."""
    body: dict[str, Any] = {"channel": "web"}
    body |= {name: form[name] for name in TEXT_FIELDS if form.get(name)}
    picked, inside = township_name(ctx.directory, form.get("township", ""), form.get("county", ""))
    errors: Errors = {}
    if not inside:
        errors["township"] = [t["township_county"]]
    if picked or form.get("township_text"):
        body["township"] = picked or form["township_text"]
    for name in ("category_hint", "occurred_on"):
        if form.get(name):
            body[name] = form[name]
    body["subject_is_head"] = form.get("subject_is_head") == "on"
    named = form.get("identity") == "named"
    # Anonymous means nothing of the person is sent, whatever was typed before choosing so.
    fields = ("name", "phone", "email", "address")  # address: the desk's letters and visits
    contact = {k: form[k] for k in fields if named and form.get(k)}
    body["reporter"] = {"anonymous": not named, **contact}
    return body, errors


def validated(body: dict[str, Any], english: bool) -> tuple[ReportIn | None, Errors]:
    """The body as `POST /api/v1/reports` reads it, or its field errors."""
    try:
        return ReportIn.model_validate(body), {}
    except ValidationError as exc:
        found = localise(exc.errors(include_url=False), english)  # type: ignore[arg-type]
        return None, collect((tuple(e["loc"]), e["msg"]) for e in found)


def refusal_errors(refusal: Refusal, english: bool) -> Errors:
    """A refusal's field problems on the form (those without a field go on top)."""
    return collect((p.loc, p.text(english)) for p in refusal.problems)


def collect(problems: Iterable[tuple[tuple[Any, ...], str]]) -> Errors:
    errors: Errors = {}
    for loc, message in problems:
        errors.setdefault(field_of(loc), []).append(message)
    return errors


def field_of(loc: tuple[Any, ...]) -> str:
    """The form field a `loc` points at: ("body", "reporter", "phone") is `phone`, the
    reporter as a whole the identity choice, an attachment the file input."""
    parts = [part for part in loc if part != "body"]
    if not parts:
        return "form"
    if parts[0] == "reporter":
        return str(parts[1]) if len(parts) > 1 else "identity"
    if parts[0] == "attachments":
        return "files"
    return str(parts[0])


def merge(*many: Errors) -> Errors:
    merged: Errors = {}
    for errors in many:
        for field, messages in errors.items():
            merged.setdefault(field, []).extend(messages)
    return merged
