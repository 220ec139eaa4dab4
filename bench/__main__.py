"""`make bench`: the whole system under load (bench/e2e_load.py) with its one table.

`make bench ARGS=--all` also runs each service's own benchmark after it (about 25 min more);
`make bench ARGS='--phases 100:30,max:30'` shortens the load. `make bench ARGS='--cluster
[--rate 5 --duration 60 --max 30]'` runs instead the city's counties at once on a 3-node
cluster with two replicas of every service (bench/cluster_load.py). Figures go in the issue
notes, never in tests.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from bench import cluster_load, e2e_load  # noqa: E402

if __name__ == "__main__":
    argv = sys.argv[1:]
    if "--cluster" in argv:
        cluster_load.run([a for a in argv if a != "--cluster"])
        sys.exit(0)
    everything = "--all" in argv
    e2e_load.run([a for a in argv if a != "--all"])
    if everything:
        for script in sorted(HERE.glob("*.py")):
            if script.name.startswith("_") or script.stem in (
                "e2e_load",
                "loadgen",
                "cluster_load",
            ):
                continue
            print(f"\n== {script.stem}", flush=True)
            sys.argv = [str(script)]  # each script reads its own defaults
            runpy.run_path(str(script), run_name="__main__")
