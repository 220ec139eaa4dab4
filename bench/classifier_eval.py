"""Cost of the cases classifier (services/cases/classifier): the memory the learned model adds
to a process and the mean time to classify one report, with its accuracy on the corpus's
held-out part beside it.

    .venv/bin/python bench/classifier_eval.py            # RSS delta, ms/report, top-1/top-3
    .venv/bin/python bench/classifier_eval.py --rounds 5
    .venv/bin/python bench/classifier_eval.py --service  # memory inside the cases app

Memory: resident set size (VmRSS) after importing the cases service's classifier (with
`--service`: after building the whole cases app without starting it), and again after fitting
the model from the corpus (what the cases service does when it starts). Time:
CPU time per `classify()` over every report of the corpus, best of `--rounds` rounds (CPU time,
not wall time, so that other processes on a shared machine do not count). Targets (issue 24):
under 1 ms per report on average, at most 20 MB more resident memory.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

TARGET_MS = 1.0
TARGET_MB = 20.0


def rss_mb() -> float:
    """This process's resident set size (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds (best is kept)")
    parser.add_argument("--service", action="store_true", help="measure inside the cases app")
    args = parser.parse_args()
    if args.service:
        from services.cases.main import create_app

        create_app(for_docs=True)  # everything the service loads, but no model and no start

    from services.cases.classifier.classify import classify
    from services.cases.classifier.corpus import TEST, load_part, training_examples
    from services.cases.classifier.evaluation import score
    from services.cases.classifier.model import default_model
    from services.cases.classifier.rules import load_rules
    from shared.taxonomy import load_taxonomy

    load_rules(), load_taxonomy()
    before = rss_mb()
    started = time.process_time()
    model = default_model()
    fitted_in = time.process_time() - started
    grown = rss_mb() - before

    texts = [e.text for e in training_examples() + load_part(TEST) if e.text]
    classify(texts[0])
    best = float("inf")
    for _ in range(args.rounds):
        started = time.process_time()
        for text in texts:
            classify(text)
        best = min(best, (time.process_time() - started) / len(texts) * 1000)

    held_out = score(load_part(TEST))
    print(
        f"model {model.version}: {len(model.weights)} n-gram features, fitted in {fitted_in:.2f} s"
    )
    print(f"RSS +{grown:.1f} MB after fitting (target <= {TARGET_MB:.0f} MB)")
    print(f"classify: {best:.3f} ms/report CPU over {len(texts)} reports (target < {TARGET_MS} ms)")
    print(f"held-out: top-1 {held_out.top1_rate:.1%}  top-3 {held_out.top3_rate:.1%}")


if __name__ == "__main__":
    main()
