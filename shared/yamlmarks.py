"""YAML read twice: as data for the loaders, and as nodes that keep their line numbers, so a
problem found in the data (a pydantic `loc`, an entry's index) can name the line it is on.

`Problem` is what the configuration checks report: `file:line: field: message`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

Loc = Sequence[str | int]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a configuration file, where it is and what it is."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class YamlFile:
    """A YAML file's data and node tree; `problem(loc, msg)` places a problem on its line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        text = path.read_text(encoding="utf-8")
        self.data: Any = yaml.safe_load(text)
        self.node: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)

    def line(self, loc: Loc) -> int:
        """The line of the deepest node along `loc` that exists (1 for the whole file)."""
        node, line = self.node, 1
        if node is not None:
            line = node.start_mark.line + 1
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                found = [(k, v) for k, v in node.value if str(k.value) == str(part)]
                if not found:
                    break
                key, node = found[0]
                line = key.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def problem(self, loc: Loc, message: str) -> Problem:
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        return Problem(self.name, self.line(loc), field or "(file)", message)

    def validation(self, exc: ValidationError, prefix: Loc = ()) -> list[Problem]:
        """Every error of a pydantic validation of the data at `prefix`, each on its line."""
        return [self.problem([*prefix, *e["loc"]], e["msg"]) for e in exc.errors()]


def read(path: Path) -> YamlFile | Problem:
    """The file, or the problem that stops it being read (unreadable, not YAML)."""
    try:
        return YamlFile(path)
    except OSError as exc:
        return Problem(str(path), 1, "(file)", f"cannot read: {exc.strerror}")
    except (ValueError, yaml.YAMLError) as exc:
        if not isinstance(exc, yaml.YAMLError):  # a well-formed scalar with a bad value
            line = _bad_date_line(path.read_text(encoding="utf-8"))
            return Problem(str(path), line, "(yaml)", f"bad value: {exc}")
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        what = getattr(exc, "problem", None) or str(exc)
        return Problem(str(path), line, "(yaml)", f"not valid YAML: {what}")


def _bad_date_line(text: str) -> int:
    """The line of the first date PyYAML cannot build (2026-02-30), else 1."""
    stack = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while stack:
        node = stack.pop(0)
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":timestamp"):
            try:
                yaml.SafeLoader(text).construct_yaml_timestamp(node)
            except ValueError:
                return int(node.start_mark.line) + 1
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
        elif isinstance(node, yaml.MappingNode):
            stack += [v for _, v in node.value]
    return 1
