"""The demo pool: exactly the seed's figures, deterministic for a seed, fictional and removable."""

import pytest

from shuzhuan.marketplace.demo import pool as demo_pool
from shuzhuan.marketplace.models import Offering, OfferingStatus, PoolApplication, ProviderProfile
from shuzhuan.marketplace.services.pool import pool_figures
from shuzhuan.registry.domain import validate_uscc

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(ProviderProfile.objects.order_by("organisation__uscc").values_list("organisation__uscc", "organisation__name",
                                                                               "pool_status", "admission_score")),
        sorted(Offering.objects.values_list("name", "provider__organisation__uscc", "price_min", "status")),
    )


def test_default_calibration_gives_the_seeds_figures():
    result = demo_pool.generate_pool(2024)
    f = pool_figures(ProviderProfile.objects.all(), Offering.objects.all())
    assert f["in_pool"] == 103 == result.in_pool
    assert f["solutions"] == 82 and f["category_count"] == 3
    assert f["products"] == 287 and all(n > 0 for _label, _code, n in f["types"])
    assert Offering.objects.public().count() == 82 + 287
    assert Offering.objects.filter(status=OfferingStatus.PENDING).count() == 6
    # every provider in the pool has at least one published offering, and an admitted application
    assert not ProviderProfile.objects.filter(pool_status__in=("in_pool", "warned")).exclude(
        offerings__status=OfferingStatus.PUBLISHED).exists()
    assert PoolApplication.objects.filter(status="admitted").count() == 104  # 103 in the pool + 1 removed since
    assert PoolApplication.objects.filter(status="notice").count() == 2


def test_valid_unique_fictional_codes_and_names():
    demo_pool.generate_pool(7)
    rows = list(ProviderProfile.objects.values_list("organisation__uscc", "organisation__name"))
    assert len({u for u, _n in rows}) == len(rows) == len({n for _u, n in rows})
    for uscc, _name in rows:
        assert validate_uscc(uscc).warnings == (), uscc  # raises on an invalid code
        assert uscc.startswith(demo_pool.uscc_prefix())
    assert len(set(Offering.objects.values_list("name", flat=True))) == Offering.objects.count()


def test_deterministic_for_a_seed_and_removable():
    demo_pool.generate_pool(11)
    first = snapshot()
    assert demo_pool.pool_present()
    removed = demo_pool.delete_demo_pool()
    assert removed == 110 and not demo_pool.pool_present() and not Offering.objects.exists()
    demo_pool.generate_pool(11)
    assert snapshot() == first
    demo_pool.delete_demo_pool()
    demo_pool.generate_pool(12)
    assert snapshot() != first
