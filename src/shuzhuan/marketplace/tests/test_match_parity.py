"""One rule, two engines, one answer: the batch recommendations equal the single path's, item by item."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from conftest import make_enterprise

from shuzhuan.assessment.models import Assessment, Source, Status
from shuzhuan.core.models import Organisation, OrganisationKind, Town
from shuzhuan.marketplace import recommend
from shuzhuan.marketplace.domain.classify import SCENARIO_CODES
from shuzhuan.marketplace.models import ContactRequest, ContactStatus, Need, NeedStatus
from shuzhuan.marketplace.services import match as svc
from shuzhuan.marketplace.tests.scope_fixtures_match import offering, provider
from shuzhuan.registry.domain import make_uscc

INDUSTRIES = ["3872", "3874", "3851", "3351", "2110", "3912", ""]


def build_random_city(seed: int, n_enterprises: int = 60, n_offerings: int = 40):
    rng = random.Random(seed)
    towns = list(Town.objects.all()[:4])
    providers = []
    for i in range(6):
        org = Organisation.objects.create(uscc=make_uscc("442000", f"MP{seed:02d}{i:04d}"), name=f"服务商{seed}-{i}",
                                          kind=OrganisationKind.PROVIDER)
        providers.append(provider(org, town=rng.choice(towns + [None]),
                                  stars=rng.choice([None, "3.5", "4.0", "4.8", "2.0"])))
    for i in range(n_offerings):
        scen = rng.sample(SCENARIO_CODES, rng.randint(1, 4))
        inds = rng.choice([(), ("38",), ("387",), ("3872", "3851"), ("33",), ("21", "39")])
        lo = rng.randint(0, 2)
        offering(rng.choice(providers), f"产品{seed}-{i}", scenarios=scen, industries=inds,
                 price=rng.choice([None, "30000.00", "80000.00", "250000.00"]), discount=rng.choice([None, "10", "25.5"]),
                 min_level=lo, max_level=rng.randint(lo, 4), status=rng.choice(["published"] * 5 + ["draft"]))
    ents = []
    for i in range(n_enterprises):
        industry = rng.choice(INDUSTRIES)
        employees, revenue = rng.choice([(8, "800000.00"), (40, "3000000.00"), (120, "45000000.00"),
                                         (900, "250000000.00"), (15, "0.00")])
        ent = make_enterprise(f"企业{seed}-{i}", make_uscc("442000", f"ME{seed:02d}{i:04d}"), rng.choice(towns),
                              industry=industry or None, employees=employees, revenue=revenue)
        ents.append(ent)
        for _k in range(rng.choice([0, 0, 1, 2])):
            Assessment.objects.create(
                enterprise=ent, source=rng.choice([Source.SELF, Source.ONSITE, Source.IMPORT]),
                status=rng.choice([Status.SUBMITTED, Status.SIGNED, Status.DRAFT]),
                indicator_set=rng.choice(["miit-2024"] * 4 + ["miit-2022"]),
                assessed_on=dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 600)),
                level=rng.choice([None, 0, 1, 2, 3, 4]), score=Decimal("55.000"),
                scenarios=rng.choice([{}, {c: rng.randint(0, 4) for c in rng.sample(SCENARIO_CODES, rng.randint(3, 16))}]),
            )
        for _k in range(rng.choice([0, 0, 1, 2])):
            Need.objects.create(enterprise=ent, text="需求", scenarios=rng.sample(SCENARIO_CODES, rng.randint(1, 3)),
                                budget=rng.choice([None, Decimal("50000.00"), Decimal("200000.00")]),
                                status=rng.choice([NeedStatus.OPEN, NeedStatus.MATCHING, NeedStatus.CLOSED]))
    offs = list(svc.Offering.objects.all())
    for _k in range(15):
        off = rng.choice(offs)
        ContactRequest.objects.create(enterprise=rng.choice(ents), offering=off, provider_id=off.provider_id,
                                      status=rng.choice([ContactStatus.SIGNED, ContactStatus.REQUESTED]))
    return ents


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_equals_single_path(world, seed):
    ents = build_random_city(seed)
    ents += list(world.enterprises.values())
    batch = recommend.recommend_all(top=5)
    by_ent = {}
    for row in batch.iter_rows(named=True):
        by_ent.setdefault(row["enterprise_id"], []).append(row)
    checked = 0
    for ent in ents:
        _facts, _a, ranked, _n = svc.rank_for(ent, top=5, explain=False)
        expected = [(s.offering_id, s.total, tuple(c.tenths for c in s.components)) for s in ranked]
        got = [(r["offering_id"], r["total"], tuple(r[c] for c in recommend.COMPONENTS)) for r in by_ent.get(ent.pk, [])]
        assert got == expected, f"enterprise {ent.pk}"
        checked += bool(expected)
    assert checked > len(ents) // 2


def test_explained_and_plain_scores_are_equal(world):
    ents = build_random_city(7, n_enterprises=15, n_offerings=20)
    for ent in ents:
        _f, _a, plain, _n = svc.rank_for(ent, top=20, explain=False)
        _f, _a, explained, _n = svc.rank_for(ent, top=20, explain=True)
        assert [(s.offering_id, s.total) for s in plain] == [(s.offering_id, s.total) for s in explained]
        for s in explained:
            assert all(c.why for c in s.components)


def test_batch_without_offerings_is_empty(world):
    assert recommend.recommend_all().is_empty()
