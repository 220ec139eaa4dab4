"""The routing rules as data (`rules.yaml` beside this module, or a deployment's own file):
per problem and channel who leads and co-operates, who stands in when a unit is accused, which
supervisor line comes first. `check_rules` names a rule that refers to an unknown unit.
"""

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from shared import configdir
from shared.directory import By, Directory

Transfer = Literal["discipline_inspection", "procuratorate"]
PACKAGED_RULES = "rules.yaml"


class RoutingRulesError(ValueError):
    """The routing rules are invalid; the message names the offending rule."""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Assignment(Frozen):
    """Who leads a case, who co-operates, and whether it is flagged for transfer."""

    lead: str | None = None
    co: tuple[str, ...] = ()
    transfer_to: Transfer | None = None
    measure: str | None = None  # the seed's measure the assignment comes from, for reasons


class RoutingRules(Frozen):
    """Routing rules as loaded from YAML; rules.yaml explains each key."""

    version: Literal[1] = 1
    default: Assignment = Assignment()
    problems: dict[int, Assignment] = {}
    channels: dict[str, Assignment] = {}
    prefer_line: By = "locality"  # which supervisor of a unit comes first; the other next
    when_accused: dict[str, tuple[str, ...]] = {}
    fallback: tuple[str, ...] = ()
    head_transfer_to: Transfer | None = None
    # Problems about a resident work team (issue 22): led by the unit that dispatched the
    # accused team, the problem's own lead (the organisation department) co-operating.
    dispatched_problems: tuple[int, ...] = ()


def _parse_rules(text: str, source: str) -> RoutingRules:
    try:
        return RoutingRules.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise RoutingRulesError(f"{source}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise RoutingRulesError(f"{source}: {detail}") from None


@lru_cache(maxsize=1)
def _packaged_rules() -> RoutingRules:
    text = resources.files("services.cases.routing").joinpath(PACKAGED_RULES).read_text("utf-8")
    return _parse_rules(text, PACKAGED_RULES)


def load_rules(path: Path | None = None) -> RoutingRules:
    """Load routing rules from path; without one, the county configuration's routing.yaml
    (`shared.configdir`) or else the packaged rules, each read once."""
    if path is None:
        county = configdir.file(configdir.ROUTING)
        return _packaged_rules() if county is None else _county_rules(county)
    return _parse_rules(path.read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=8)
def _county_rules(path: Path) -> RoutingRules:
    return _parse_rules(path.read_text(encoding="utf-8"), str(path))


def check_rules(rules: RoutingRules, directory: Directory) -> None:
    """Raise RoutingRulesError naming the first rule that refers to a unit not in directory."""
    plans = {
        "default": rules.default,
        **{f"problem {n}": a for n, a in rules.problems.items()},
        **{f"channel {c}": a for c, a in rules.channels.items()},
    }
    named = [(w, u) for w, p in plans.items() for u in (p.lead, *p.co) if u is not None]
    named += [(f"when_accused {a}", u) for a, us in rules.when_accused.items() for u in (a, *us)]
    named += [("fallback", u) for u in rules.fallback]
    for where, uid in named:
        if uid not in directory:
            raise RoutingRulesError(f"{where}: unknown unit {uid!r}")
