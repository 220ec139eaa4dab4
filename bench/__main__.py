"""`make bench`: run the benchmarks that exist (figures go in the issue notes, not in tests)."""

from __future__ import annotations

import runpy
from pathlib import Path

HERE = Path(__file__).parent

if __name__ == "__main__":
    for script in sorted(HERE.glob("*.py")):
        if script.name.startswith("_"):
            continue
        print(f"== {script.stem}")
        runpy.run_path(str(script), run_name="__main__")
