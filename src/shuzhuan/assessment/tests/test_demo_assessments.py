"""Demo assessments: deterministic, consistent with each firm's profile, scored by the real scorer, fast."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from shuzhuan.assessment import demo, indicator_sets
from shuzhuan.assessment.models import Assessment, Kind, Source, Status
from shuzhuan.assessment.results import apply_score, official_assessments
from shuzhuan.registry import demo as registry_demo
from shuzhuan.registry.models import Enterprise

N = 3000


@pytest.fixture
def demo_city(db):
    from conftest import ensure_reference_data

    ensure_reference_data()
    registry_demo.build_demo_registry(N, seed=11)
    started = time.perf_counter()
    result = demo.generate_assessments(seed=11)
    return result, time.perf_counter() - started


def test_share_kinds_and_speed(demo_city):
    result, seconds = demo_city
    assert result.enterprises == N
    assert 0.28 <= result.assessed / N <= 0.45
    assert result.post > 0 and result.onsite > 0
    assert Assessment.objects.count() == result.sheets
    assert seconds < 10  # ~20k enterprises take a few seconds


def test_scores_equal_the_single_sheet_scorer(demo_city):
    for stored in Assessment.objects.order_by("pk")[:60]:
        again = Assessment(indicator_set=stored.indicator_set, answers=stored.answers, scenarios=stored.scenarios, kind=stored.kind)
        apply_score(again)
        assert (again.score, again.level, again.second_levels) == (stored.score, stored.level, stored.second_levels)
        assert isinstance(stored.score, Decimal)


def test_profile_drives_levels(demo_city):
    official = official_assessments()

    def mean_level(**filters) -> float:
        levels = list(official.filter(**{f"enterprise__{k}": v for k, v in filters.items()}).values_list("level", flat=True))
        return sum(levels) / len(levels)

    assert mean_level(above_scale=True) > mean_level(above_scale=False) + 0.3
    assert mean_level(size_class="micro") < mean_level(size_class="medium")
    lighting = official.filter(enterprise__industry__code__startswith="387").count()
    assert lighting > 0


def test_pairs_improve_and_onsite_points_at_self(demo_city):
    posts = Assessment.objects.filter(kind=Kind.POST, source=Source.SELF)
    better = sum(
        p.score > Assessment.objects.get(enterprise_id=p.enterprise_id, kind=Kind.BASELINE, source=Source.SELF).score
        for p in posts[:100]
    )
    assert better / min(100, posts.count()) > 0.8
    onsite = Assessment.objects.filter(source=Source.ONSITE)
    assert all(o.status == Status.SIGNED and o.based_on.enterprise_id == o.enterprise_id and o.changes for o in onsite[:50])
    assert all(o.score <= o.based_on.score for o in onsite[:50])  # on-site ratings only lower answers


def test_deterministic(db):
    from conftest import ensure_reference_data

    ensure_reference_data()
    registry_demo.build_demo_registry(400, seed=5)
    demo.generate_assessments(seed=5)
    first = list(Assessment.objects.order_by("enterprise__organisation__uscc", "assessed_on", "source")
                 .values_list("enterprise__organisation__uscc", "score", "level", "source"))
    assert demo.delete_demo_assessments() == len(first)
    assert not demo.demo_assessments_present()
    demo.generate_assessments(seed=5)
    again = list(Assessment.objects.order_by("enterprise__organisation__uscc", "assessed_on", "source")
                 .values_list("enterprise__organisation__uscc", "score", "level", "source"))
    assert first == again
    assert indicator_sets.load("miit-2024").version == Assessment.objects.first().version
    assert Enterprise.objects.count() == 400
