"""`shuzhuan evaluate-recommendations`: the share of small firms whose first recommendation they can pay for."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from shuzhuan.marketplace.domain.affordability import Case, affordable, measure

YUAN = 100  # cents


def test_affordable_is_at_most_a_tenth_of_revenue_and_unpriced_is_not():
    assert affordable(100_000 * YUAN, 1_000_000 * YUAN)
    assert not affordable(100_001 * YUAN, 1_000_000 * YUAN)
    assert not affordable(None, 1_000_000 * YUAN) and not affordable(1, None) and not affordable(1, 0)


def test_measure_counts_small_firms_with_an_affordable_option_only():
    revenue = 2_000_000 * YUAN  # affordable: up to 200,000 yuan
    cases = [
        Case("small", revenue, [150_000 * YUAN, 900_000 * YUAN], [True, True]),  # first affordable
        Case("micro", revenue, [842_500 * YUAN, 100_000 * YUAN], [True, False]),  # affordable, but not first
        Case("small", revenue, [842_500 * YUAN, None]),  # nothing affordable: not counted
        Case("medium", revenue, [100_000 * YUAN]),  # not micro or small: not counted
        Case("small", revenue, []),
    ]
    share = measure(cases)
    assert (share.cases, share.first_affordable) == (2, 1) and share.ratio == 0.5
    assert (share.with_need, share.first_covers_need) == (2, 2)
    assert measure(cases, Decimal("0.5")).cases == 3


@pytest.mark.django_db
def test_the_command_reports_each_population(world):
    from shuzhuan.marketplace.models import Need
    from shuzhuan.marketplace.tests.scope_fixtures_match import offering, provider

    profile = provider(world.orgs["provider_a"])
    offering(profile, "整厂解决方案", scenarios=("S12", "S06", "S08"), industries=("38",), price="842500.00")
    offering(profile, "仓储小程序", scenarios=("S12",), price="100000.00")
    ent = world.enterprises["a"]  # small, revenue 45,000,000 yuan
    Need.objects.create(enterprise=ent, text="库存总是对不上", scenarios=["S12"])
    out = StringIO()
    call_command("evaluate_recommendations", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"needs", "firms with needs", "all firms"}
    assert data["needs"]["cases"] == 1 and data["needs"]["share"] == 1.0 and data["needs"]["need_share"] == 1.0
    text = StringIO()
    call_command("evaluate_recommendations", stdout=text)
    assert "firms with needs" in text.getvalue() and "100.0%" in text.getvalue()
