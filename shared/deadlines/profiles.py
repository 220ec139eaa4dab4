"""The deadline profiles: each clock's days and legal basis, from data
(`shared/deadline_profiles.yaml`), with per-channel and per-deployment overrides merged over."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field

from shared import configdir
from shared.deadlines.clock import Clock
from shared.deadlines.days import DayKind
from shared.deadlines.deadline import Basis, Deadline, Frozen
from shared.holidays import WorkCalendar

PROFILES_FILE = Path(__file__).parent.parent / "deadline_profiles.yaml"


class ClockRule(Frozen):
    """One configurable clock: how many days of which kind, and its legal basis."""

    days: int = Field(ge=0)
    kind: DayKind
    rule: str
    article: str
    summary: str = ""
    summary_en: str = ""
    warn_days: int | None = Field(default=None, ge=0)


class Profile(Frozen):
    """The clocks for one channel: the defaults with that channel's overrides merged in."""

    name: str = "default"
    warn_days: int = Field(default=3, ge=0)
    clocks: dict[str, ClockRule]
    overridden: frozenset[str] = frozenset()

    def rule(self, key: str) -> ClockRule:
        """The rule named `key`; KeyError names the known ones."""
        if key not in self.clocks:
            raise KeyError(f"no clock {key!r}; known: {', '.join(sorted(self.clocks))}")
        return self.clocks[key]

    def basis(self, key: str) -> Basis:
        """The basis a deadline from rule `key` carries, with the setting that holds its days."""
        rule = self.rule(key)
        where = f"channels.{self.name}.clocks.{key}" if key in self.overridden else f"clocks.{key}"
        fields = rule.model_dump(include={"days", "kind", "rule", "article", "summary"})
        return Basis(key=key, config_key=f"{where}.days", profile=self.name, **fields)

    def clock(self, key: str, started_at: datetime) -> Clock:
        """A clock for rule `key` started at `started_at`."""
        rule = self.rule(key)
        warn = self.warn_days if rule.warn_days is None else rule.warn_days
        return Clock(
            kind=rule.kind,
            days=rule.days,
            started_at=started_at,
            warn_days=warn,
            basis=self.basis(key),
        )

    def deadline(self, key: str, start: datetime, calendar: WorkCalendar | None = None) -> Deadline:
        """The deadline of rule `key` for a clock started at `start`."""
        return self.clock(key, start).deadline(calendar)


class Profiles(Frozen):
    """The default profile and one per channel that overrides it."""

    default: Profile
    channels: dict[str, Profile] = {}

    def for_channel(self, channel: str | None) -> Profile:
        """The profile for `channel`; a channel without overrides gets the defaults."""
        return self.channels.get(channel or "", self.default)


def merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """`top` deep-merged over `base` (mappings merge, anything else replaces)."""
    merged = dict(base)
    for key, value in top.items():
        below = merged.get(key)
        both = isinstance(below, Mapping) and isinstance(value, Mapping)
        merged[key] = merge(below, value) if both else value  # type: ignore[arg-type]
    return merged


def build_profiles(raw: Mapping[str, Any]) -> Profiles:
    """Profiles from the YAML shape: `warn_days`, `clocks`, `channels: {name: overrides}`."""
    base = {"warn_days": raw.get("warn_days", 3), "clocks": raw["clocks"]}
    channels = {
        name: Profile(
            name=name, overridden=frozenset((top or {}).get("clocks", {})), **merge(base, top or {})
        )
        for name, top in (raw.get("channels") or {}).items()
    }
    return Profiles(default=Profile(**base), channels=channels)


def load_profiles(
    path: Path = PROFILES_FILE, overrides: Iterable[Mapping[str, Any] | Path] | None = None
) -> Profiles:
    """The packaged profiles with a deployment's overrides (mappings or YAML files) merged over;
    without overrides, the county configuration's deadline_profiles.yaml when it has one."""
    if overrides is None:
        county = configdir.file(configdir.PROFILES)
        overrides = () if county is None else (county,)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for top in overrides:
        if isinstance(top, Path):
            top = yaml.safe_load(top.read_text(encoding="utf-8")) or {}
        raw = merge(raw, top)
    return build_profiles(raw)
