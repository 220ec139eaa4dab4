"""The directory: load errors name the offending entry; lookups over the packaged Dezhou data."""

import copy
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from shared.directory import Directory, DirectoryError, load_directory, parse_directory

COUNTY_CODES = [f"3714{n:02d}" for n in (2, 3, 22, 23, 24, 25, 26, 27, 28, 81, 82, 71, 72)]
MEMBER_UNITS = {
    "city-zzb": ("市委组织部", "department"),
    "city-jw": ("市纪委监委", "discipline"),
    "city-jcy": ("市人民检察院", "procuratorate"),
    "city-fl": ("市妇联", "department"),
    "city-csh": ("市慈善总会", "department"),
    "city-czj": ("市财政局", "department"),
    "city-sjj": ("市审计局", "department"),
}


def unit(uid: str, name: str, kind: str, county: str, *above: str, **extra: Any) -> dict[str, Any]:
    """A directory entry; the level follows the county, `above` is "unit:line" strings."""
    level = "city" if county == "371400" else "county"
    sups = [dict(zip(("unit", "by"), a.split(":"), strict=True)) for a in above]
    return dict(id=uid, name=name, kind=kind, level=level, county=county, supervisors=sups, **extra)


def minimal() -> dict[str, Any]:
    """A small valid directory: the city group and office, one county office."""
    return {
        "city": {"code": "371400", "name": "德州市"},
        "counties": [{"code": "371402", "name": "德城区"}],
        "units": [
            unit("city-lg", "市扶贫开发领导小组", "leading_group", "371400"),
            unit(
                "city-fpb",
                "市扶贫办",
                "office",
                "371400",
                "city-lg:locality",
                aliases=["德州市扶贫办"],
            ),
            unit("371402-fpb", "德城区扶贫办", "office", "371402", "city-fpb:sector"),
        ],
    }


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "directory.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def county_unit(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        data["units"][2].update(changes)

    return mutate


def add_unit(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        data["units"].append(fields)

    return mutate


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory()


BAD = {
    "unknown supervisor": (
        county_unit(supervisors=[{"unit": "ghost", "by": "sector"}]),
        "unit '371402-fpb': unknown supervisor 'ghost'",
    ),
    "cycle": (
        lambda d: d["units"][0].update(supervisors=[{"unit": "371402-fpb", "by": "locality"}]),
        "unit 'city-lg': supervision cycle among 371402-fpb, city-fpb, city-lg",
    ),
    "self-supervision": (
        county_unit(supervisors=[{"unit": "371402-fpb", "by": "sector"}]),
        "unit '371402-fpb': supervision cycle among 371402-fpb",
    ),
    "duplicate id": (
        lambda d: d["units"].append(dict(d["units"][2])),
        "duplicate unit id '371402-fpb'",
    ),
    "unknown county": (
        county_unit(county="371499"),
        "unit '371402-fpb': unknown county code '371499'",
    ),
    "bad kind": (county_unit(kind="bureau"), "unit '371402-fpb': kind: Input should be"),
    "bad level": (county_unit(level="province"), "unit '371402-fpb': level: Input should be"),
    "level misfit": (
        county_unit(level="city"),
        "unit '371402-fpb': level 'city' misfits county 371402",
    ),
    "city unit at county level": (
        lambda d: d["units"][1].update(level="county"),
        "unit 'city-fpb': level 'county' misfits county 371400",
    ),
    "bad id": (
        county_unit(id="Decheng FPB"),
        "unit 'Decheng FPB': id: String should match pattern",
    ),
    "bad supervision line": (
        county_unit(supervisors=[{"unit": "city-fpb", "by": "party"}]),
        "unit '371402-fpb': supervisors.0.by: Input should be",
    ),
    "misspelt field": (county_unit(supervisor=[]), "unit '371402-fpb': supervisor: Extra inputs"),
    "blank alias": (
        county_unit(aliases=["  "]),
        "unit '371402-fpb': aliases.0: String should have",
    ),
    "unit not a mapping": (
        lambda d: d["units"].append("德城区扶贫办"),
        "unit #4: entry: Input should be",
    ),
    "alias of another unit": (
        county_unit(aliases=["德州市扶贫办"]),
        "unit '371402-fpb': alias '德州市扶贫办' names 'city-fpb'",
    ),
    "second county office": (
        add_unit(
            id="371402-fpb2", name="德城区扶贫办二", kind="office", level="county", county="371402"
        ),
        "unit '371402-fpb2': office of 371402 is '371402-fpb'",
    ),
    "no city office": (
        lambda d: d["units"][1].update(kind="department"),
        "directory: no city office",
    ),
    "duplicate county": (
        lambda d: d["counties"].append({"code": "371402", "name": "又一个"}),
        "duplicate county code '371402'",
    ),
    "county is the city": (
        lambda d: d["counties"].append({"code": "371400", "name": "德州市"}),
        "duplicate county code '371400'",
    ),
    "bad county code": (
        lambda d: d["counties"].append({"code": "3714", "name": "短"}),
        "county #2: code: String should match",
    ),
    "missing city": (lambda d: d.pop("city"), "city: entry: Input should be a valid dictionary"),
    "counties not a list": (
        lambda d: d.update(counties={"371402": "德城区"}),
        "directory: 'counties' must be a list",
    ),
    "units missing": (lambda d: d.pop("units"), "directory: 'units' must be a list"),
}


@pytest.mark.parametrize("mutate, message", BAD.values(), ids=BAD.keys())
def test_a_bad_file_is_refused_naming_the_entry(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = copy.deepcopy(minimal())
    mutate(data)
    with pytest.raises(DirectoryError) as error:
        load_directory(write(tmp_path, data))
    assert message in str(error.value)


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match="expected a mapping"):
        load_directory(write(tmp_path, ["units"]))


def test_invalid_yaml_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("units: [unclosed", encoding="utf-8")
    with pytest.raises(DirectoryError, match=r"broken\.yaml: not valid YAML"):
        load_directory(path)


def test_a_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match=r"nowhere\.yaml: cannot read"):
        load_directory(tmp_path / "nowhere.yaml")


def test_unquoted_codes_are_read_as_codes(tmp_path: Path) -> None:
    data = minimal()
    data["counties"][0]["code"] = 371402
    data["units"][2]["county"] = 371402
    loaded = load_directory(write(tmp_path, data))
    assert loaded.counties() == [("371402", "德城区")]
    assert loaded.office_of("371402") == loaded.unit("371402-fpb")


def test_a_unit_may_repeat_its_own_names_as_aliases(tmp_path: Path) -> None:
    data = minimal()
    data["units"][1]["aliases"] = ["市扶贫办", "德州市扶贫办", "德州市 扶贫办"]
    assert load_directory(write(tmp_path, data)).match("德州市扶贫办") == "city-fpb"


def test_the_packaged_directory_is_loaded_once(directory: Directory) -> None:
    assert load_directory() is directory


def test_the_directory_and_its_units_are_read_only(directory: Directory) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        directory.city = directory.city  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        directory.unit("city-fpb").name = "改名"  # type: ignore[misc]


def test_all_thirteen_counties_have_a_group_an_office_and_a_discipline_organ(
    directory: Directory,
) -> None:
    assert [code for code, _ in directory.counties()] == COUNTY_CODES
    for code in COUNTY_CODES:
        office, discipline = directory.office_of(code), directory.discipline_of(code)
        assert office is not None and office.kind == "office" and office.level == "county"
        assert discipline is not None and discipline.kind == "discipline"
        lines = [(s.unit, s.by) for s in office.supervisors]
        assert lines == [(f"{code}-lg", "locality"), ("city-fpb", "sector")]
        assert [(s.unit, s.by) for s in discipline.supervisors] == [("city-jw", "sector")]
        assert directory.unit(f"{code}-lg").kind == "leading_group"


def test_the_city_units(directory: Directory) -> None:
    office = directory.city_office()
    assert (office.id, office.name, office.county) == ("city-fpb", "市扶贫办", "371400")
    assert directory.office_of("371400") == office
    assert directory.unit("city-lg").name == "市扶贫开发领导小组"
    for unit_id, (name, kind) in MEMBER_UNITS.items():
        unit = directory.unit(unit_id)
        assert (unit.name, unit.kind, unit.level, unit.county) == (name, kind, "city", "371400")
    assert directory.discipline_of("371400") == directory.unit("city-jw")
    assert directory.procuratorate() == directory.unit("city-jcy")
    assert directory.city_code == "371400"


def test_lookups_of_what_is_not_there(tmp_path: Path, directory: Directory) -> None:
    with pytest.raises(KeyError):
        directory.unit("nowhere")
    with pytest.raises(KeyError):
        directory.subordinates("nowhere")
    assert "nowhere" not in directory and "city-fpb" in directory
    assert directory.office_of("999999") is None
    small = load_directory(write(tmp_path, minimal()))
    assert small.discipline_of("371402") is None and small.procuratorate() is None


def test_supervision_lines(directory: Directory) -> None:
    assert [s.unit for s in directory.supervisors_of("371422-duji")] == ["371422-fpb"]
    assert directory.ancestors("371422-duji") == {"371422-fpb", "371422-lg", "city-fpb", "city-lg"}
    assert directory.ancestors("city-lg") == frozenset()
    assert directory.subordinates("371422-fpb") == {
        "371422-chaihudian", "371422-duji", "371422-chaihudian-xiwangzhuang",
        "371422-chaihudian-xiwangzhuang-wt",  # serves in the township; sent by city-czj
    }  # fmt: skip
    assert directory.unit("371422-chaihudian-xiwangzhuang-wt").dispatched_by == "city-czj"
    assert directory.subordinates("city-jw") == {f"{code}-jw" for code in COUNTY_CODES}
    below_group = directory.subordinates("city-lg")
    assert "371402-fpb" in below_group and "371425-zhaoguan" in below_group
    # The oversight organs sit on the leading group but do not answer to it.
    assert not below_group & {"city-jw", "city-jcy", "371402-jw"}


@pytest.mark.parametrize(
    "text, unit_id",
    [
        ("德城区扶贫办的工作人员", "371402-fpb"),
        ("德城区扶贫开发领导小组办公室", "371402-fpb"),  # longer than the group's own name
        ("乐陵市扶贫办", "371481-fpb"),  # not 市扶贫办, a shorter match inside it
        ("德州市扶贫办", "city-fpb"),
        ("宁津县 柴胡店镇 政府", "371422-chaihudian"),  # spaces typed or scanned in
        ("齐河纪委", "371425-jw"),
        ("运河经开区扶贫办", "371472-fpb"),  # not 经开区扶贫办 (the other zone)
        ("市运河经济开发区扶贫办", "371472-fpb"),
        ("德城区扶贫办和陵城区扶贫办", "371402-fpb"),  # a tie: the first mention
        ("ＡＢＣ市审计局", "city-sjj"),  # full-width letters around it
        ("村里的会计", None),
        ("", None),
    ],
)
def test_free_text_matches_the_longest_name(
    directory: Directory, text: str, unit_id: str | None
) -> None:
    assert directory.match(text) == unit_id


def test_parse_directory_takes_data_as_read(directory: Directory) -> None:
    parsed = parse_directory(minimal())
    assert [u.id for u in parsed.units()] == ["city-lg", "city-fpb", "371402-fpb"]
    assert parsed.city.name == "德州市"
