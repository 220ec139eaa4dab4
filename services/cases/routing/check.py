"""The routing rules of a county configuration directory, checked with file and line against
that county's directory (the packaged rules name Dezhou's units: a county with its own units
needs its own `routing.yaml`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from services.cases.routing.rules import (
    PACKAGED_RULES,
    RoutingRules,
    RoutingRulesError,
    check_rules,
)
from shared import configdir
from shared.directory import Directory
from shared.yamlmarks import Problem, YamlFile, read


def check_routing(root: Path, directory: Directory) -> list[Problem]:
    """Problems of `root`'s routing rules (or the packaged ones) against `directory`."""
    county = configdir.file(configdir.ROUTING, root)
    path = county or Path(__file__).parent / PACKAGED_RULES
    f = read(path)
    if isinstance(f, Problem):
        return [f]
    try:
        rules = RoutingRules.model_validate(f.data)
    except ValidationError as exc:
        return f.validation(exc)
    try:
        check_rules(rules, directory)
    except RoutingRulesError as exc:
        hint = "" if county else f"; the packaged rules: give {root / configdir.ROUTING}"
        return [_placed(f, f"{exc}{hint}")]
    return []


def _placed(f: YamlFile, message: str) -> Problem:
    """`problem 6: unknown unit 'x'` and the like, on the rule's line."""
    where = message.split(":", 1)[0].split(" ", 1)
    section = {"problem": "problems", "channel": "channels"}.get(where[0], where[0])
    loc: list[str | int] = [section, *where[1:]]
    plan = f.data
    for part in loc:
        plan = plan.get(part if part in plan else _int(part)) if isinstance(plan, dict) else None
    named = message.rsplit(" ", 1)[-1].strip("'")
    if isinstance(plan, dict):  # the field naming the unit: lead, co or the like
        loc += [k for k, v in plan.items() if v == named or named in (v or ())][:1]
    return f.problem(loc, message)


def _int(part: str | int) -> str | int:
    return int(part) if isinstance(part, str) and part.isdigit() else part
