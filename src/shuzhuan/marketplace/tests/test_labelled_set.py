"""The labelled needs (DESIGN decision 11) and the accuracy the classifier must keep on the held-out part."""

from __future__ import annotations

from collections import Counter

from shuzhuan.marketplace.domain.classify import SCENARIO_CODES
from shuzhuan.marketplace.domain.evaluate import HELDOUT, TRAIN, evaluate, ratio, select, split_for
from shuzhuan.marketplace.needs import classifier, load_labelled

NEEDS = load_labelled()


def test_at_least_200_items_with_unique_ids_and_texts():
    assert len(NEEDS) >= 200
    assert len({n.id for n in NEEDS}) == len(NEEDS)
    assert len({n.text for n in NEEDS}) == len(NEEDS)


def test_items_are_plausible_needs():
    for need in NEEDS:
        assert 10 <= len(need.text) <= 80, need.id
        assert len(set(need.scenarios)) == len(need.scenarios), need.id
        assert set(need.scenarios) <= set(SCENARIO_CODES), need.id
    assert sum(len(n.scenarios) > 1 for n in NEEDS) >= 30  # multi-label items


def test_every_scenario_has_at_least_8_items_and_is_in_both_parts():
    primaries = Counter(n.primary for n in NEEDS)
    assert set(primaries) == set(SCENARIO_CODES)
    assert min(primaries.values()) >= 8
    for split in (TRAIN, HELDOUT):
        assert {n.primary for n in select(NEEDS, split)} == set(SCENARIO_CODES), split


def test_the_split_is_the_hash_rule_and_about_70_30():
    assert all(n.split == split_for(n.id) for n in NEEDS)
    share = len(select(NEEDS, HELDOUT)) / len(NEEDS)
    assert 0.25 <= share <= 0.40


def test_heldout_top3_is_at_least_90_percent():
    result = evaluate(classifier(), select(NEEDS, HELDOUT), HELDOUT)
    top3 = ratio(result.primary.topk, result.primary.total)
    assert top3 >= ratio(9, 10), f"held-out top-3 {top3}; misses: {result.misses}"
