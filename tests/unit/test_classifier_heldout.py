"""The classifier (rules blended with the learned model) on the corpus's frozen held-out part,
and reports about nothing on the problem list left unclassified (for the city office's triage).

The floors are the issue's done-when targets; the figures reached are printed by
`zuofeng classifier evaluate`."""

from __future__ import annotations

from collections import Counter

import pytest

from services.cases.classifier.classify import classify
from services.cases.classifier.corpus import (
    CORRECTIONS,
    RULES_SET,
    TEST,
    TRAIN,
    corpus_dir,
    load_part,
    training_examples,
)
from services.cases.classifier.evaluation import score
from shared.taxonomy import load_taxonomy

CHANNELS = {"hotline", "letter", "web", "inspection"}


@pytest.fixture(scope="module")
def held_out() -> list:
    return load_part(TEST)


def test_held_out_meets_the_targets(held_out: list) -> None:
    scores = score(held_out)
    assert scores.total == len(held_out) >= 100
    assert scores.top1_rate >= 0.90
    assert scores.top3_rate >= 0.98
    for number in load_taxonomy().numbers():
        recall = scores.recall(number)
        assert recall is not None, f"problem {number} has no held-out report"
        assert recall >= 0.75, f"problem {number}: recall {recall:.0%}"


def test_held_out_reports_about_no_problem_stay_unclassified(held_out: list) -> None:
    outside = [e for e in held_out if not e.labels]
    left = [e.id for e in outside if classify(e.text).unclassified]
    assert len(outside) >= 10
    assert len(left) / len(outside) >= 0.9, f"forced into a problem: {len(outside) - len(left)}"


@pytest.mark.parametrize(
    "text",
    [
        "我们村到镇上的那条水泥路压坏了，一下雨全是泥坑，拖拉机都过不去，希望尽快修路。",
        "来电人反映他哥嫂为了赡养老人的事大吵一架，还动手打了人，请村里帮忙调解家庭纠纷。",
        "邻居家把垃圾倒在我家门口，说了几次还骂人，两家为这事吵得很凶。",
        "我在私人老板的装修队干了半年，老板拖欠工资三万元不给，电话也不接了。",
        "来电人询问医保卡丢了怎么补办，需要带什么证件。",
        "",
        "asdf 1234",
    ],
)
def test_outside_the_list_goes_to_triage(text: str) -> None:
    found = classify(text)
    assert found.unclassified
    assert found.top is None


def test_the_parts_are_sound() -> None:
    train, test = load_part(TRAIN), load_part(TEST)
    numbers = set(load_taxonomy().numbers())
    ids = [e.id for e in train + test + load_part(RULES_SET)]
    assert len(ids) == len(set(ids))
    assert len(train) + len(test) >= 400
    assert 0.15 <= len(test) / (len(train) + len(test)) <= 0.30
    for part in (train, test):
        assert {e.channel for e in part} >= CHANNELS
        assert all(set(e.labels) <= numbers and e.text for e in part)
        per_problem = Counter(e.label for e in part if e.labels)
        assert set(per_problem) == numbers
        assert any(len(e.labels) == 2 for e in part)  # two-problem reports
    assert sum(1 for e in train + test if not e.labels) >= 30
    # No held-out text leaks into what the model learns from.
    learned = {e.text for e in training_examples()}
    assert not learned & {e.text for e in test}


def test_corrections_file_is_features_only() -> None:
    assert all(not e.text for e in load_part(CORRECTIONS))
    assert (corpus_dir() / "README.md").exists()
