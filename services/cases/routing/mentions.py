"""Units a report names in its own words: the directory's units found in the text, and mentions
that look like a unit (…乡政府, …镇, …扶贫办, …局, …村委) but match none of them.

Routing treats every unit found as accused (a report naming a unit only in its content must not
reach that unit), and sends a report naming a unit it cannot resolve to the city office's
triage. Pure functions: the directory and the text in, unit ids and a flag out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from shared.directory import Directory

# Endings that make a run of Chinese characters a unit's name, longest first so "镇政府" wins
# over "政府". Bare 乡/镇 are common in ordinary words, so they carry their own checks below.
_SUFFIXES = (
    "街道办事处", "人民政府", "村民委员会", "居民委员会", "扶贫开发办公室", "乡政府", "镇政府",
    "乡党委", "镇党委", "办事处", "扶贫办", "村委会", "居委会", "管委会", "委员会", "村委",
    "政府", "党委", "局", "镇", "乡",
)  # fmt: skip
_SUFFIX = re.compile("|".join(map(re.escape, _SUFFIXES)))
# Characters that end a name when walking back from the suffix: function words, common verbs,
# and words that introduce a place: what comes before them is not part of the name.
_STOP = set(
    "的了在到向去找从给被对把和与及是说由为将让跟同往地得着过也都就还又很"
    "我你他她它们这那个请求叫问报归靠"
    "修建盖用占拿送进出回来当任做搞帮买卖收系"  # verbs: "挪用修村委会办公楼" names no unit
)
# The name before a suffix: at least two characters that are not stop characters.
_MIN_NAME = 2
_MAX_NAME = 6
# Ordinary words that end like a unit (格局, 邮局 …) or start with one (乡亲, 镇上 …).
_NOT_UNITS = {
    "格局", "布局", "结局", "大局", "全局", "骗局", "僵局", "时局", "败局", "开局", "当局", "饭局",
    "牌局", "棋局", "残局", "变局", "新局", "定局", "乡镇", "城镇", "村镇", "城乡", "家乡", "故乡",
    "老乡", "同乡", "下乡", "回乡", "返乡", "外乡", "异乡", "本乡", "他乡", "坐镇", "重镇", "市镇",
}  # fmt: skip
_AFTER_BARE = {"乡": set("亲村里下土音愁邻间情镇贤民"), "镇": set("上里压定静痛守子区化民")}
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Mentions:
    """What the text says about units: directory units found, and whether it names others."""

    units: tuple[str, ...]  # directory unit ids, in order of first mention
    unresolved: bool  # it names something that looks like a unit and is in no directory entry


def normalise(text: str) -> str:
    # As the directory matches: full-width forms and stray spaces are common in typed reports.
    return "".join(unicodedata.normalize("NFKC", text).split())


@lru_cache(maxsize=8)  # a Directory compares by identity: one index per loaded directory
def _names(directory: Directory) -> dict[str, str]:
    names: dict[str, str] = {}
    for unit in directory.units():
        for name in (unit.name, *unit.aliases):
            names.setdefault(normalise(name), unit.id)
    return names


def find(directory: Directory, *texts: str | None) -> Mentions:
    """Directory units named in the texts (leftmost-longest: "乐陵市扶贫办" is the county's
    office, not "市扶贫办") and whether any other unit-like name remains."""
    names = _names(directory)
    longest = max(map(len, names), default=0)
    found: list[str] = []
    unresolved = False
    for text in texts:
        if not text:
            continue
        norm, rest, i = normalise(text), [], 0
        while i < len(norm):
            hit = next(
                (n for n in range(min(longest, len(norm) - i), 0, -1) if norm[i : i + n] in names),
                None,
            )
            if hit is None:
                rest.append(norm[i])
                i += 1
                continue
            uid = names[norm[i : i + hit]]
            if uid not in found:
                found.append(uid)
            rest.append("，")  # a resolved name is cut out; it cannot end another one
            i += hit
        unresolved = unresolved or looks_like_unit("".join(rest))
    return Mentions(tuple(found), unresolved)


def looks_like_unit(text: str) -> bool:
    """Whether the text names something unit-like, e.g. "大柳镇政府", "县水利局", "王庄村委"."""
    return any(_is_unit(text, match) for match in _SUFFIX.finditer(text))


def _is_unit(text: str, match: re.Match[str]) -> bool:
    start, suffix = match.start(), match.group()
    name = ""
    for char in reversed(text[max(0, start - _MAX_NAME) : start]):
        if not _CJK.match(char) or char in _STOP:
            break
        name = char + name
    if len(name) < _MIN_NAME or name[-1] + suffix[0] in _NOT_UNITS:
        return False
    following = text[match.end() : match.end() + 1]
    return following not in _AFTER_BARE.get(suffix, ())
