"""What the plan allows a unit to ask of a village. Pure: the request and the village's earlier
requests of the year in, the outcome and the rule cited out.

实施方案 三（四）减轻基层负担: 村级每年根据统一部署只填报一次建档立卡信息系统数据，任何单位不得以
任何理由要求村级填报其他数据; 三（五）提高工作效率: 对能够通过一次检查完成的任务、解决的问题，不
重复组织.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PLAN = "《德州市扶贫领域作风问题专项治理实施方案》"
ONCE_A_YEAR = (
    f"{PLAN}三（四）：村级每年根据统一部署只填报一次建档立卡信息系统数据",
    "the plan, 3(4): a village reports the poverty registration data once a year",
)
NO_OTHER_DATA = (
    f"{PLAN}三（四）：任何单位不得以任何理由要求村级填报其他数据",
    "the plan, 3(4): no unit may ask a village for any other data, for any reason",
)
ONE_CHECK = (
    f"{PLAN}三（五）：对能够通过一次检查完成的任务、解决的问题，不重复组织",
    "the plan, 3(5): what one check can do is not checked again",
)


@dataclass(frozen=True)
class Outcome:
    """registered | flagged | refused, the rule cited (zh, en) and the request it repeats."""

    outcome: str
    rule: tuple[str, str] | None = None
    repeats: str | None = None


def judge(kind: str, check_kind: str | None, earlier: Sequence[Mapping[str, Any]]) -> Outcome:
    """`earlier`: the village's requests of the same year that were not refused, oldest first."""
    if kind == "other_data":
        return Outcome("refused", NO_OTHER_DATA)
    same = [r for r in earlier if r["kind"] == kind and r["check_kind"] == check_kind]
    if kind == "registration" and same:
        return Outcome("refused", ONCE_A_YEAR, str(same[0]["id"]))
    if kind == "check" and same:
        return Outcome("flagged", ONE_CHECK, str(same[0]["id"]))
    return Outcome("registered")
