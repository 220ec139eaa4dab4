"""`make mutants`' report: each module's mutants killed, surviving and known equivalent.

Reads the verdicts mutmut leaves in mutants/**/*.py.meta for the mutant names given on the
command line (fnmatch patterns, as `mutmut run` takes them). A survivor named in
tests/mutants_equivalent.md (as `name`, in backquotes) changes no behaviour, or sits in code that
runs at import, before mutmut switches a mutant on (listed under a heading starting "Run at
import"); any other survivor is a gap in the tests: the report names it, and the exit status is 1.
"""

from __future__ import annotations

import fnmatch
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

EQUIVALENT = Path("tests/mutants_equivalent.md")
REPORT = Path("var/mutants-report.txt")
# Exit codes mutmut records per mutant (mutmut/stats.py): 1 and 3 are kills, 0 a survivor.
STATUS = {0: "survived", 1: "killed", 3: "killed", 33: "no tests", 5: "no tests", None: "unrun"}
TIMEOUTS = {24, -24, 36, 152, 255}


def verdicts(patterns: list[str]) -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if any(fnmatch.fnmatch(name, p) for p in patterns):
                found[name] = code
    return found


def status(code: int | None) -> str:
    # A mutant that makes the tests hang is caught too: pytest-timeout or mutmut stops it.
    return "killed" if code in TIMEOUTS else STATUS.get(code, f"suspicious ({code})")


def module_of(name: str) -> str:
    return re.split(r"\.x[_ǁ]", name, maxsplit=1)[0]


def listed() -> dict[str, str]:
    """Listed survivor -> "equivalent" or "at import" (from the section it is listed in)."""
    found: dict[str, str] = {}
    for section in re.split(r"^## ", EQUIVALENT.read_text(), flags=re.MULTILINE):
        kind = "at import" if section.startswith("Run at import") else "equivalent"
        found |= dict.fromkeys(re.findall(r"`([\w.ǁ]+__mutmut_\d+)`", section), kind)
    return found


def main(patterns: list[str]) -> int:
    equivalent = listed()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    gaps: list[str] = []
    stale: list[str] = []
    for name, code in sorted(verdicts(patterns).items()):
        verdict = status(code)
        if verdict == "survived" and name in equivalent:
            verdict = equivalent[name]
        elif name in equivalent:
            stale.append(f"listed as equivalent but {verdict}: {name}")
        counts[module_of(name)][verdict] += 1
        if verdict not in ("killed", "equivalent", "at import"):
            gaps.append(f"{verdict:>10}  {name}")
    columns = ("killed", "equivalent", "at import")
    lines = [f"{'module':<30} {'mutants':>7} {'killed':>7} {'equiv.':>7} {'import':>7} {'gaps':>5}"]
    for module, c in sorted(counts.items()):
        total = sum(c.values())
        gap = total - sum(c[k] for k in columns)
        row = " ".join(f"{c[k]:>7}" for k in columns)
        lines.append(f"{module:<30} {total:>7} {row} {gap:>5}")
    lines += ["", f"survivors that change behaviour (see `mutmut show NAME`): {len(gaps)}", *gaps]
    lines += ["", *stale] if stale else []
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
