"""`make bench`: the whole system under load (bench/e2e_load.py) with its one table.

`make bench ARGS=--all` also runs each service's own benchmark after it (about 25 min more);
`make bench ARGS='--phases 100:30,max:30'` shortens the load. Figures go in the issue notes,
never in tests.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from bench import e2e_load  # noqa: E402

if __name__ == "__main__":
    argv = sys.argv[1:]
    everything = "--all" in argv
    e2e_load.run([a for a in argv if a != "--all"])
    if everything:
        for script in sorted(HERE.glob("*.py")):
            if script.name.startswith("_") or script.stem in ("e2e_load", "loadgen"):
                continue
            print(f"\n== {script.stem}", flush=True)
            sys.argv = [str(script)]  # each script reads its own defaults
            runpy.run_path(str(script), run_name="__main__")
