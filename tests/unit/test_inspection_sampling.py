"""The inspection draw: reproducible from its seed, without replacement, and proportional to
risk (a heavy candidate is drawn far more often than a light one)."""

from __future__ import annotations

from collections import Counter

from services.cases.inspections.sampling import Candidate, draw


def candidate(unit: str, reports: int = 0, days: int = 0) -> Candidate:
    return Candidate(unit, unit, reports, 0, 0, days)


def test_a_seed_repeats_its_draw_and_never_picks_twice() -> None:
    pool = [candidate(f"u{i}", reports=i) for i in range(10)]
    first = draw(pool, 5, "s")
    assert first == draw(list(reversed(pool)), 5, "s")  # the input order does not matter
    assert len({c.unit for c in first}) == 5
    assert len(draw(pool, 50, "s")) == 10


def test_risk_weighs_the_draw() -> None:
    heavy, light = candidate("heavy", reports=9), candidate("light")  # weights 10 and 1
    firsts = Counter(draw([heavy, light], 1, f"seed-{i}")[0].unit for i in range(2000))
    assert 0.85 < firsts["heavy"] / 2000 < 0.95  # 10/11 ≈ 0.91


def test_weight_counts_substantiated_overdue_and_time_unvisited() -> None:
    assert candidate("a").weight == 1
    assert Candidate("b", "b", 1, 1, 1, 60).weight == 1 + 1 + 3 + 2 + 2
    assert candidate("c", days=10_000).weight == candidate("d", days=365).weight
