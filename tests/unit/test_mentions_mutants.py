"""Mentions at their edges: what `make mutants` found the routing tests let through."""

from __future__ import annotations

from typing import Any

import pytest

from services.cases.routing import mentions
from shared.directory import load_directory, parse_directory

DZ = load_directory()


def test_spaces_and_full_width_forms_do_not_hide_a_unit() -> None:
    # Typed reports: a space inside the name, full-width letters around it.
    found = mentions.find(DZ, "Ａ德城区 扶贫办\u3000的人")
    assert found == mentions.Mentions(("371402-fpb",), False)


def test_every_text_is_read_even_after_an_empty_one() -> None:
    found = mentions.find(DZ, None, "", "德城区扶贫办", "市扶贫办")
    assert found.units == ("371402-fpb", "city-fpb")


def test_a_unit_named_twice_is_listed_once_in_order_of_first_mention() -> None:
    found = mentions.find(DZ, "市扶贫办推给德城区扶贫办，德城区扶贫办又推回市扶贫办。")
    assert found.units == ("city-fpb", "371402-fpb")


def test_an_alias_names_its_unit() -> None:
    assert mentions.find(DZ, "德州市扶贫开发办公室").units == ("city-fpb",)


def test_an_unresolved_name_in_any_text_is_flagged() -> None:
    assert mentions.find(DZ, "大柳镇政府截留资金", "德城区扶贫办").unresolved
    assert mentions.find(DZ, "德城区扶贫办", "大柳镇政府截留资金").unresolved
    assert not mentions.find(DZ, "德城区扶贫办", "村里").unresolved


def test_no_text_names_nothing() -> None:
    assert mentions.find(DZ) == mentions.Mentions((), False)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("王庄村委", True),  # the name starts the text
        ("庄村委", False),  # one character is not a name
        ("大柳镇", True),  # a bare 镇 at the end of the text
        ("大柳镇上有人", False),  # 镇上: a place, not the town's government
        ("乡亲们", False),
        ("发展格局", False),  # 格局 is a word, not a 局
        ("我们大柳镇政府", True),  # the name stops at 们
        ("去大柳乡政府", True),
        ("ab局", False),  # only Chinese characters make a name
    ],
)
def test_what_looks_like_a_unit(text: str, unit: bool) -> None:
    assert mentions.looks_like_unit(text) is unit


def test_a_one_character_name_is_found_too() -> None:
    # The loader allows any non-empty name or alias; the search tries every length down to one.
    units: list[dict[str, Any]] = [
        {"id": "top", "name": "市领导小组", "kind": "leading_group", "level": "city"},
        {"id": "coff", "name": "市扶贫办", "kind": "office", "level": "city", "aliases": ["扶"]},
    ]
    d = parse_directory(
        {
            "city": {"code": "371400", "name": "德州市"},
            "counties": [{"code": "371402", "name": "德城区"}],
            "units": [u | {"county": "371400", "supervisors": []} for u in units],
        }
    )
    assert mentions.find(d, "有人说扶").units == ("coff",)
