"""The demo city's matching part: deterministic, and harmless without providers or enterprises."""

from __future__ import annotations

import io

from conftest import make_enterprise

from shuzhuan.core.models import Organisation, OrganisationKind
from shuzhuan.marketplace.demo.match import delete_demo_match, generate_match, match_present
from shuzhuan.marketplace.models import ChainLink, Consortium, ContactRequest, Need, NeedStatus
from shuzhuan.marketplace.tests.scope_fixtures_match import offering, provider
from shuzhuan.registry.domain import make_uscc


def small_city(world):
    towns = {t: world.towns["a"] for t in ("古镇",)}
    for i in range(30):
        make_enterprise(f"古镇灯饰{i}厂", make_uscc("442000", f"MD{i:06d}"), towns["古镇"], industry="3872", employees=40)
    world.enterprises["a"].chain_leader = True
    world.enterprises["a"].save()
    for i in range(3):
        org = Organisation.objects.create(uscc=make_uscc("442000", f"MDP{i:05d}"), name=f"演示服务商{i}", kind=OrganisationKind.PROVIDER)
        prov = provider(org, town=world.towns["a"], stars="4.0")
        for k in range(4):
            offering(prov, f"演示产品{i}-{k}", scenarios=(["S03", "S05", "S06", "S07", "S11", "S12"][(i + k) % 6],),
                     industries=("387",) if k % 2 else ())


def snapshot():
    return (
        sorted(Need.objects.values_list("enterprise_id", "text", "scenarios", "budget", "status", "source")),
        sorted(ContactRequest.objects.values_list("enterprise_id", "offering_id", "status", "outcome")),
        sorted(ChainLink.objects.values_list("leader_id", "partner_uscc", "relation")),
        sorted(Consortium.objects.values_list("name", "traction_unit_id")),
    )


def test_generate_is_deterministic_and_fills_every_stage(world):
    small_city(world)
    out = io.StringIO()
    result = generate_match(7, stdout=out)
    assert match_present() and "供需对接" in out.getvalue()
    assert result.leaders >= 1 and result.links > 0 and result.consortia == 1  # no 385 firms: one consortium
    assert Need.objects.filter(text__regex=r"[\u4e00-\u9fff]").count() == Need.objects.count() > 0
    assert set(ContactRequest.objects.values_list("status", flat=True)) >= {"requested"}
    assert Need.objects.exclude(status=NeedStatus.OPEN).exists()
    from shuzhuan.marketplace.services.consortia import catalogue_candidates

    for consortium in Consortium.objects.all():  # the catalogue keeps the rule the city's page applies
        assert consortium.offerings.exists()
        assert not consortium.offerings.exclude(pk__in=catalogue_candidates(consortium).values("pk")).exists()
    first = snapshot()
    delete_demo_match()
    assert not Need.objects.exists() and not match_present()
    generate_match(7)
    assert snapshot() == first


def test_generate_without_providers_or_enterprises_does_not_crash(db):
    assert generate_match(1).leaders == 0


def test_generate_without_providers(world):
    result = generate_match(3)
    assert sum(result.contacts.values()) == 0 and Need.objects.exists()
