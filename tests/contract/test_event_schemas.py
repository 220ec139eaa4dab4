"""Every event type's JSON schema against its committed snapshot.

Additive changes pass; a removed, renamed or retyped field fails (a breaking change is a new
type or `schema_version`). A new type needs its snapshot: run with
ZUOFENG_WRITE_SNAPSHOTS=1 once and commit the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from shared.events import REGISTRY, envelope_model

SNAPSHOTS = Path(__file__).with_name("snapshots")


def schema_of(model: Any) -> dict[str, Any]:
    return envelope_model(model).model_json_schema(mode="serialization")


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return _resolve(root["$defs"][ref.split("/")[-1]], root)
    return schema


def breaking_changes(
    old: dict[str, Any],
    new: dict[str, Any],
    old_root: dict[str, Any],
    new_root: dict[str, Any],
    path: str = "",
) -> list[str]:
    """Fields of `old` that `new` removed or retyped (recursing into nested objects)."""
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    problems = []
    for key in ("type", "format", "const", "enum"):
        if old.get(key) != new.get(key) and not (
            key == "enum" and set(old.get(key) or []) <= set(new.get(key) or [])
        ):
            problems.append(f"{path or '<root>'}: {key} {old.get(key)!r} -> {new.get(key)!r}")
    for variant in ("anyOf", "oneOf"):
        if len(old.get(variant, [])) > len(new.get(variant, [])):
            problems.append(f"{path}: {variant} narrowed")
        for i, (o, n) in enumerate(zip(old.get(variant, []), new.get(variant, []), strict=False)):
            problems += breaking_changes(o, n, old_root, new_root, f"{path}[{variant}{i}]")
    for name, field in old.get("properties", {}).items():
        if name not in new.get("properties", {}):
            problems.append(f"{path}.{name}: removed or renamed")
            continue
        problems += breaking_changes(
            field, new["properties"][name], old_root, new_root, f"{path}.{name}"
        )
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    problems += [f"{path}.{name}: now required" for name in sorted(newly_required)]
    if "items" in old and "items" in new:
        problems += breaking_changes(old["items"], new["items"], old_root, new_root, f"{path}[]")
    return problems


@pytest.mark.parametrize("key", sorted(REGISTRY), ids=lambda k: f"{k[0]}.v{k[1]}")
def test_schema_matches_snapshot(key: tuple[str, int]) -> None:
    current = schema_of(REGISTRY[key])
    path = SNAPSHOTS / f"{key[0]}.v{key[1]}.json"
    if os.environ.get("ZUOFENG_WRITE_SNAPSHOTS") == "1":
        path.write_text(json.dumps(current, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    assert path.exists(), (
        f"no snapshot for {key}: run with ZUOFENG_WRITE_SNAPSHOTS=1 and commit {path.name}"
    )
    snapshot = json.loads(path.read_text())
    assert breaking_changes(snapshot, current, snapshot, current) == []


def test_every_snapshot_has_a_model() -> None:
    """A snapshot without a model means a published type was removed or renamed."""
    names = {f"{t}.v{v}.json" for t, v in REGISTRY}
    orphans = sorted(p.name for p in SNAPSHOTS.glob("*.json") if p.name not in names)
    assert orphans == []


def test_the_checker_catches_removed_renamed_and_retyped_fields() -> None:
    base = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["a"],
    }
    renamed = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "c": {"type": "integer"}},
        "required": ["a"],
    }
    retyped = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a"],
    }
    added = {
        "type": "object",
        "properties": {**base["properties"], "d": {"type": "string"}},
        "required": ["a"],
    }
    assert breaking_changes(base, renamed, base, renamed) == [".b: removed or renamed"]
    assert breaking_changes(base, retyped, base, retyped) == [".a: type 'string' -> 'integer'"]
    assert breaking_changes(base, added, base, added) == []
