"""The keyword rules alone (`classify_by_rules`): evidence, hint, unclassified, ranking, rules,
accuracy floor on the rules' own set. The blend with the learned model is tested in
tests/unit/test_classifier_*.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import pytest

from services.cases.classifier.classify import Classification
from services.cases.classifier.classify import classify_by_rules as classify
from services.cases.classifier.corpus import RULES_SET, Example, load_part
from services.cases.classifier.evaluation import Scores, score
from services.cases.classifier.rules import RulesError, load_rules, normalise, parse_rules
from shared.taxonomy import load_taxonomy, parse_taxonomy

# Measured when the rules were frozen: holdout top-1 63/67 (94.0%), top-3 66/67 (98.5%).
# The floors sit a little below so that a regression fails while small rule edits do not.
HOLDOUT_TOP1_FLOOR = 0.88
HOLDOUT_TOP3_FLOOR = 0.94
TUNE_TOP1_FLOOR = 0.95


def _rules_set() -> list[Example]:
    return load_part(RULES_SET)


def _rules_score(split: str) -> Scores:
    return score([e for e in _rules_set() if e.split == split], classify)


def _raw_rules(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": "r-test",
        "taxonomy_version": "dezhou-2018-v1",
        "threshold": 0.5,
        "scale": 3.0,
        "hint_boost": 1.5,
        "strong_score": 4.0,
        "max_candidates": 5,
        "problems": {23: {"terms": {"挪用": 5}}},
    }
    data.update(overrides)
    return data


def test_evidence_lists_the_matched_terms() -> None:
    result = classify("村主任挪用了扶贫款，大家都很气愤")
    assert result.top == 23
    assert not result.unclassified
    first = result.candidates[0]
    assert first.evidence == ("挪用", "扶贫款")
    assert all(term in normalise("村主任挪用了扶贫款") for term in first.evidence)
    assert result.taxonomy_version == load_taxonomy().version


def test_full_width_and_spaces_do_not_hide_terms() -> None:
    assert classify("扶 贫 款 被 挪 用 了 ！").top == 23
    assert classify("ＡＢＣ村会计截留扶贫款").top == 23


def test_regex_terms_report_what_they_matched() -> None:
    result = classify("他把扶贫款装进自己的腰包")
    assert result.top == 23
    assert "装进自己的腰包" in result.candidates[0].evidence


@pytest.mark.parametrize(
    "text",
    ["", "   ", "测试测试", "asdf qwer 1234", "今天天气不错，出去走走", "请问社保怎么交？"],
)
def test_empty_and_noise_are_unclassified(text: str) -> None:
    result = classify(text)
    assert result.unclassified
    assert result.top is None


def test_praise_is_not_a_complaint() -> None:
    assert classify("感谢驻村工作队，帮我们修好了路，真是好干部").unclassified


def test_weak_evidence_stays_unclassified_but_is_listed() -> None:
    result = classify("反映扶贫资金的问题")
    assert result.unclassified
    assert result.candidates[0].problem == 23
    assert result.candidates[0].confidence < load_rules().threshold


def test_several_problems_are_all_ranked() -> None:
    result = classify("驻村干部天天走读，村会计还挪用扶贫款，而且资金从来不公示")
    ranked = [c.problem for c in result.candidates]
    assert set(ranked[:3]) == {18, 23, 26}
    confidences = [c.confidence for c in result.candidates]
    assert confidences == sorted(confidences, reverse=True)


def test_hint_tips_weak_evidence() -> None:
    assert classify("反映扶贫资金的问题", hint=23).top == 23


def test_hint_boost_is_bounded() -> None:
    rules = load_rules()
    alone = classify("", hint=9)
    assert alone.unclassified  # a hint without any evidence is not enough
    assert alone.candidates[0].problem == 9
    assert alone.candidates[0].evidence == ()
    assert alone.candidates[0].confidence == pytest.approx(
        rules.hint_boost / (rules.hint_boost + rules.scale), abs=1e-3
    )
    weak = classify("开会太多了").candidates[0].confidence
    boosted = classify("开会太多了", hint=9).candidates[0].confidence
    assert 0 < boosted - weak <= alone.candidates[0].confidence


def test_hint_never_overrides_strong_evidence() -> None:
    text = "村会计把扶贫款截留了，还贪污了救济款"
    result = classify(text, hint=7)
    assert result.top == 23
    assert [c.problem for c in result.candidates][:2] == [23, 7]
    # Without the cap, 7's evidence (4) plus the boost (1.5) would overtake 23's strong 5.
    close = "村会计截留，问他态度敷衍"
    assert classify(close).top == 23
    capped = classify(close, hint=7)
    assert capped.top == 23
    assert capped.candidates[0].confidence > capped.candidates[1].confidence
    # Against weak evidence the hint does decide.
    assert classify("问他态度敷衍，扶贫资金", hint=7).top == 7


def test_unknown_hint_is_ignored() -> None:
    text = "反映扶贫资金的问题"
    assert classify(text, hint=2) == classify(text)
    assert classify(text, hint=999) == classify(text)


def test_deterministic_over_the_labelled_set() -> None:
    texts = [e.text for e in _rules_set()]
    first = [classify(t).model_dump() for t in texts]
    second = [classify(t).model_dump() for t in reversed(texts)]
    assert first == list(reversed(second))


def test_result_is_frozen_and_consistent() -> None:
    result = classify("村主任挪用了扶贫款")
    with pytest.raises(pydantic.ValidationError):
        result.top = None  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        Classification(taxonomy_version="v", rules_version="r", top=None, unclassified=False)


def test_rules_cover_exactly_the_taxonomy() -> None:
    rules, taxonomy = load_rules(), load_taxonomy()
    assert set(rules.positive) == set(taxonomy.numbers())
    assert rules.taxonomy_version == taxonomy.version
    assert load_rules() is rules  # compiled once, then cached


def test_rules_for_a_fuller_list_skip_absent_problems() -> None:
    small = parse_taxonomy(
        {
            "version": "small",
            "problems": [{"number": 7, "title": "t", "title_en": "e", "text": "x"}],
        }
    )
    result = classify("村主任挪用了扶贫款", taxonomy=small)
    assert result.unclassified
    assert result.candidates == ()
    assert result.taxonomy_version == "small"


def test_custom_rules_and_negative_terms() -> None:
    rules = parse_rules(
        _raw_rules(problems={23: {"terms": {"挪用": 5}, "negative": {"没有挪用": 4}}})
    )
    assert classify("他挪用了钱", rules=rules).top == 23
    assert classify("经查没有挪用", rules=rules).unclassified
    assert classify("他挪用了钱", rules=rules).rules_version == "r-test"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"problems": {23: {"terms": {"re:(unclosed": 2}}}}, r"problems.23.terms: bad pattern"),
        ({"problems": {23: {"terms": {"挪用": 0}}}}, r"problems.23.terms: weight"),
        ({"problems": {23: {"terms": {"  ": 1}}}}, r"problems.23.terms: empty term"),
        ({"problems": {23: {"terms": {}}}}, r"problems.23.terms"),
        ({"threshold": 1.5}, r"threshold"),
        ({"global_negative": {"re:[": 1}}, r"global_negative: bad pattern"),
    ],
)
def test_invalid_rules_name_the_entry(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(RulesError, match=message):
        parse_rules(_raw_rules(**overrides))


def test_rules_file_errors(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml")
    broken = tmp_path / "rules.yaml"
    broken.write_text("version: [\n", encoding="utf-8")
    with pytest.raises(RulesError, match="invalid YAML"):
        load_rules(broken)


def test_labelled_set_is_sound() -> None:
    reports = _rules_set()
    numbers = set(load_taxonomy().numbers())
    assert len(reports) >= 100
    assert len({r.id for r in reports}) == len(reports)
    splits = [r.split for r in reports]
    assert set(splits) == {"tune", "holdout"}
    assert abs(splits.count("tune") - splits.count("holdout")) <= 1
    assert all(set(r.labels) <= numbers for r in reports)
    assert any(not r.labels for r in reports)
    assert any(len(r.labels) > 1 for r in reports)


def test_holdout_accuracy_does_not_regress() -> None:
    holdout, tune = _rules_score("holdout"), _rules_score("tune")
    assert holdout.top1_rate >= HOLDOUT_TOP1_FLOOR
    assert holdout.top3_rate >= HOLDOUT_TOP3_FLOOR
    assert tune.top1_rate >= TUNE_TOP1_FLOOR
