"""The wording of a routing decision's reasons, in one place: each reason is a template with named
parameters, written once in English (the stored form: the case's routing record and its opening
event keep these strings byte for byte) and in zh-CN (how an official reads it on the case page).

`Case.note` takes a template and its parameters, never free text, so every stored reason can be
read back: `parse` matches a stored string against regexes built from the same templates, and
`show` says it again in the page's language with the parameters named by the page (units by
their directory names, problems by their titles). A string no template matches (older data) is
shown as stored.

Parameters name units by id only, never the report's text (it may name people).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field

# The kind of each parameter name: how it is matched in a stored string and named on a page.
KINDS: dict[str, str] = {
    "unit": "unit",
    "above": "unit",
    "stand_in": "unit",
    "team": "unit",
    "sender": "unit",
    "problem": "problem",
    "measure": "measure",
    "channel": "channel",
    "organ": "organ",
    "county": "county",
}
_PATTERNS = {
    "unit": r"[^\s;:,()]+",  # a directory id (a slug), or whatever id the rules named
    "problem": r"\d+",
    "measure": r".+",  # the seed's measure (二, 九 ...) or whatever a rules file calls it
    "channel": r"[a-z_]+",
    "organ": r"[a-z_]+",  # a Transfer: discipline_inspection, procuratorate
    "county": r"\d{6}",
}


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def _regex(template: str) -> re.Pattern[str]:
    out, seen = [], set()
    for literal, name, spec, conversion in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if name is None:
            continue
        if spec or conversion or name not in KINDS:
            raise ValueError(f"reason parameter {{{name}}} has no kind or carries a format")
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>{_PATTERNS[KINDS[name]]})")
        seen.add(name)
    return re.compile("".join(out))


@dataclass(frozen=True)
class Reason:
    """One reason's wording: `en` is what is stored; `zh` and `shown_en` what a page shows."""

    en: str
    zh: str
    shown_en: str = ""  # the English page's wording when the stored one reads badly with names
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = set(_fields(self.en))
        for other in (self.zh, self.shown_en):
            if other and set(_fields(other)) != names:
                raise ValueError(f"reason {self.en!r}: its wordings name other parameters")
        object.__setattr__(self, "regex", _regex(self.en))

    @property
    def params(self) -> frozenset[str]:
        return frozenset(_fields(self.en))

    def format(self, **params: object) -> str:
        """The stored (English) reason; ValueError unless given exactly its parameters."""
        if set(params) != self.params:
            wanted, got = sorted(self.params), sorted(params)
            raise ValueError(f"reason {self.en!r} takes {wanted}, got {got}")
        # Never refused for a value: a rules file may name an odd id (a page then shows the
        # reason as stored); routing must not fail over its wording.
        return self.en.format(**{k: str(v) for k, v in params.items()})

    def say(self, english: bool, **named: str) -> str:
        """This reason in the page's language, its parameters already named for the page."""
        return ((self.shown_en or self.en) if english else self.zh).format(**named)


# Who the accused unit is.
ACCUSED_BY_ID = Reason(
    "accused unit {unit} given by id",
    "被举报单位按所填单位认定：{unit}",
    "accused unit given by id: {unit}",
)
ACCUSED_ID_UNKNOWN = Reason(
    "the given accused unit id is not in the directory: ignored",
    "所填被举报单位不在单位名录中：不予采用",
)
ACCUSED_IN_TEXT = Reason(
    "accused unit {unit} recognised in the report's text",
    "从举报内容中识别出被举报单位：{unit}",
    "accused unit recognised in the report's text: {unit}",
)
ACCUSED_TEXT_UNMATCHED = Reason(
    "the accused unit named in the report matched no directory unit",
    "举报所称被举报单位与单位名录中的单位均不对应",
)
NAMED_IN_TEXT = Reason(
    "unit {unit} named in the report's text: treated as accused",
    "举报内容提及{unit}：一并按被举报单位对待",
    "{unit} named in the report's text: treated as accused",
)
UNRESOLVED_UNIT = Reason(
    "the report names a unit the directory does not resolve: the city office triages",
    "举报提及的单位在单位名录中无法确认：由市专项治理办分类交办",
)
# Who triages, and by which rules.
CITY_ACCUSED_TRIAGE = Reason(
    "{unit} is accused or under an accused unit: triage goes to its stand-in",
    "{unit}系被举报单位或其下属单位：分类交办由代行单位承担",
)
UNCLASSIFIED = Reason(
    "problem not classified yet: the city office triages it",
    "问题尚未分类：由市专项治理办分类交办",
)
PROBLEM_RULES_MEASURE = Reason(
    "rules for problem {problem} apply (measure {measure})",
    "按问题{problem}的分办规则（措施{measure}）",
)
PROBLEM_RULES = Reason("rules for problem {problem} apply", "按问题{problem}的分办规则")
CHANNEL_RULES_MEASURE = Reason(
    "rules for channel {channel} apply (measure {measure})",
    "按{channel}渠道的分办规则（措施{measure}）",
)
CHANNEL_RULES = Reason("rules for channel {channel} apply", "按{channel}渠道的分办规则")
# Who handles.
HOME_COUNTY = Reason(
    "the accused unit belongs to {county}: that county's office is the default",
    "被举报单位属{county}：默认由该地扶贫办承办",
)
HANDLED_BY = Reason(
    "handled by the poverty-relief office {unit}",
    "由{unit}承办",
    "handled by {unit}",
)
OFFICE_BLOCKED = Reason(
    "{unit} is the accused unit or under it",
    "{unit}系被举报单位或其下属单位：回避",
)
HEAD_KEPT = Reason(
    "accusation against a unit's head: nothing independent above {unit}; kept",
    "举报对象为单位主要负责人：{unit}之上没有独立的单位，仍由其承办",
)
HEAD_MOVED_UP = Reason(
    "accusation against a unit's head: moved up from {unit} to {above}",
    "举报对象为单位主要负责人：由{unit}提级至{above}承办",
)
# Who leads and co-operates.
LEAD_BLOCKED = Reason(
    "lead {unit} is the accused unit or under it",
    "牵头单位{unit}系被举报单位或其下属单位：回避",
)
LEAD_UNKNOWN = Reason(
    "lead {unit} is not in the directory: no lead unit",
    "牵头单位{unit}不在单位名录中：不设牵头单位",
)
CO_DROPPED = Reason(
    "co-unit {unit} dropped: unknown, or the accused unit or under it",
    "协办单位{unit}不予列入：不在单位名录中，或系被举报单位或其下属单位",
)
TEAM_SENDER_ACCUSED = Reason(
    "{team} was dispatched by {sender}, which is accused: lead kept",
    "{team}由{sender}选派，{sender}亦被举报：牵头单位不变",
)
TEAM_SENDER_LEADS = Reason(
    "{team} is a work team dispatched by {sender}: {sender} leads",
    "{team}系{sender}选派的驻村工作队：由{sender}牵头",
)
# Transfers.
TRANSFER_BY_RULES = Reason(
    "flagged for transfer to {organ} by the rules",
    "按分办规则拟移送{organ}",
)
HEAD_TRANSFER = Reason(
    "accusation against a unit's head: flagged for transfer to {organ}",
    "举报对象为单位主要负责人：拟移送{organ}",
)
IS_THAT_ORGAN = Reason(
    "{unit} is itself that organ: no transfer needed",
    "{unit}即该机关：无需移送",
)
NO_ORGAN = Reason("no {organ} unit in the directory", "单位名录中没有{organ}")
TRANSFER_TO = Reason("transfer would go to {unit}", "拟移送{unit}")
TRANSFER_ABOVE_CITY = Reason(
    "transfer would go to a unit above the city",
    "拟移送市级以上单位",
)
# Who stands in for an accused unit.
STAND_IN_BY_RULES = Reason(
    "{unit} is accused: the rules send its cases to {stand_in}",
    "{unit}被举报：按分办规则由{stand_in}承办",
)
STAND_IN_SUPERVISOR = Reason(
    "{unit} is accused: its cases go to its supervisor {stand_in}",
    "{unit}被举报：由其上级单位{stand_in}承办",
)
STAND_IN_FALLBACK = Reason(
    "{unit} is accused and nothing above it is independent: fallback {stand_in}",
    "{unit}被举报且其上级均不独立：由{stand_in}兜底承办",
)
NONE_INDEPENDENT = Reason(
    "no unit in the directory is independent of {unit}: route above the city",
    "单位名录中没有独立于{unit}的单位：报市级以上处理",
)

ALL: tuple[Reason, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, Reason))


def parse(text: str) -> tuple[Reason, dict[str, str]] | None:
    """The template and parameters a stored reason was written from; None for free text."""
    for reason in ALL:
        if found := reason.regex.fullmatch(text):
            return reason, found.groupdict()
    return None


Namer = Callable[[str, str], str]  # (kind, stored value) -> the value as the page names it


def show(text: str, english: bool, name: Namer) -> str:
    """A stored reason in the page's language; as stored when no template matches it."""
    found = parse(text)
    if found is None:
        return text
    reason, params = found
    return reason.say(english, **{k: name(KINDS[k], v) for k, v in params.items()})
