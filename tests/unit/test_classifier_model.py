"""The learned half of the classifier and its blend with the rules: n-grams, determinism, the
"fits no problem" class, evidence, confidence, hint, and the features a correction keeps."""

from __future__ import annotations

import pytest

from services.cases.classifier.classify import Blend, classify, classify_by_rules
from services.cases.classifier.corpus import TRAIN, Example, load_part
from services.cases.classifier.corrections import features_of
from services.cases.classifier.evaluation import cross_validate, render, score
from services.cases.classifier.model import NONE, default_model, fit, ngrams
from services.cases.classifier.rules import normalise

TINY = [
    Example("a", (23,), "村会计挪用扶贫款"),
    Example("b", (23,), "村主任贪污扶贫资金"),
    Example("c", (18,), "驻村干部天天走读不在村"),
    Example("d", (18,), "第一书记不住村里走读"),
    Example("e", (), "邻居吵架请调解"),
    Example("f", (), "马路坑洼请修路"),
]


def test_ngrams_are_cut_at_punctuation_and_digits() -> None:
    grams = ngrams("扶贫款，3万 挪用")
    assert {"扶", "扶贫", "扶贫款", "挪用"} <= grams
    assert "款挪" not in grams and "款，" not in grams and "3" not in grams


def test_fit_is_deterministic_and_learns_the_none_class() -> None:
    one, two = fit(TINY), fit(list(reversed(TINY)))
    assert one.weights == two.weights and one.base == two.base
    assert one.classes == (NONE, 18, 23)
    scores = one.scores(ngrams("村会计挪用了钱"))
    assert max(scores, key=lambda c: scores[c]) == 23
    scores = one.scores(ngrams("邻居吵架了"))
    assert max(scores, key=lambda c: scores[c]) == NONE


def test_once_seen_ngrams_are_not_features() -> None:
    model = fit(TINY)
    assert "扶贫" in model.weights  # in two reports
    assert "修路" not in model.weights  # in one only: a name or a place, mostly


def test_default_model_is_fitted_once() -> None:
    assert default_model() is default_model()
    assert len(default_model().weights) > 1000


def test_the_blend_ranks_with_evidence_from_both_halves() -> None:
    found = classify("村主任挪用了扶贫款，大家都很气愤")
    assert found.top == 23 and not found.unclassified
    first = found.candidates[0]
    assert first.evidence[:2] == ("挪用", "扶贫款")  # the rules' terms first
    assert len(first.evidence) > 2  # then what the model learned
    assert all(word in normalise("村主任挪用了扶贫款，大家都很气愤") for word in first.evidence)
    assert found.model_version == default_model().version
    confidences = [c.confidence for c in found.candidates]
    assert confidences == sorted(confidences, reverse=True)
    assert len(found.candidates) >= 3


def test_two_problems_are_both_in_the_top_three() -> None:
    found = classify("驻村干部天天走读，村会计还挪用扶贫款，而且资金从来不公示")
    assert {18, 23, 26} == {c.problem for c in found.candidates[:3]}


def test_the_model_finds_what_no_rule_names() -> None:
    text = "俺们村第一书记一个月露两回面，来了就走，村里有事找不着人"
    assert classify(text).top == 18


def test_the_threshold_decides_unclassified() -> None:
    text = "反映一下扶贫的事情"
    found = classify(text)
    assert found.candidates  # ranked, though not confident
    strict = classify(text, blend=Blend(threshold=0.99))
    assert strict.unclassified and strict.candidates == found.candidates


def test_hint_helps_the_rules_share_only() -> None:
    text = "反映扶贫资金的问题"
    plain, hinted = classify(text), classify(text, hint=26)
    rank = {c.problem: c.confidence for c in hinted.candidates}
    before = {c.problem: c.confidence for c in plain.candidates}
    assert rank[26] > before.get(26, 0.0)
    # A hint never beats strong evidence for another problem.
    assert classify("村会计把扶贫款截留了，还贪污了救济款", hint=7).top == 23


@pytest.mark.parametrize("text", ["感谢驻村工作队帮我们修好了路，真是好干部", "请问社保怎么交？"])
def test_praise_and_questions_are_not_complaints(text: str) -> None:
    assert classify(text).unclassified


def test_blend_beats_the_rules_alone_on_training_cross_validation() -> None:
    examples = load_part(TRAIN)[::3]  # a third: quick, still every problem
    blended = cross_validate(examples, 3)[0]
    rules = score(examples, classify_by_rules)
    assert blended.top1_rate > rules.top1_rate
    assert "confusion" in render("cv", blended)


def test_a_correction_keeps_features_never_the_text() -> None:
    text = "举报人王小明电话13912345678：村会计挪用扶贫款"
    features, terms, taxonomy_version, model_version = features_of(text)
    kept = features + terms
    assert not any("小明" in k or any(ch.isdigit() for ch in k) for k in kept)
    assert "挪用" in terms + features and "扶贫" in features
    assert features == sorted(features)
    assert taxonomy_version and model_version == default_model().version
