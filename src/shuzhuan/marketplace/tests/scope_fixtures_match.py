"""Side b's matching records for the scope test, and small builders shared by the matching tests."""

from __future__ import annotations

from decimal import Decimal

from shuzhuan.core.models import Organisation, OrganisationKind
from shuzhuan.marketplace.models import (
    Consortium,
    ContactRequest,
    Need,
    Offering,
    OfferingStatus,
    PoolStatus,
    ProviderProfile,
)


def provider(org: Organisation, town=None, stars: str | None = None, status: str = PoolStatus.IN_POOL) -> ProviderProfile:
    profile, _ = ProviderProfile.objects.get_or_create(organisation=org, defaults={"town": town, "pool_status": status})
    changed = False
    if town is not None and profile.town_id != town.pk:
        profile.town = town
        changed = True
    if stars is not None:
        profile.stars = Decimal(stars)
        changed = True
    if profile.pool_status != status:
        profile.pool_status = status
        changed = True
    if changed:
        profile.save()
    return profile


def offering(profile: ProviderProfile, name: str, scenarios=("S08",), industries=(), price: str | None = "80000.00",
             discount: str | None = None, min_level: int = 0, max_level: int = 4, kind: str = "product",
             status: str = OfferingStatus.PUBLISHED, product_type: str = "manufacturing") -> Offering:
    return Offering.objects.create(
        provider=profile, kind=kind, product_type=product_type if kind == "product" else "", name=name,
        summary=f"{name}：小快轻准的数字化产品", scenarios=list(scenarios), industries=list(industries),
        price_min=Decimal(price) if price else None, price_max=Decimal(price) * 2 if price else None,
        pilot_discount=Decimal(discount) if discount else None, min_level=min_level, max_level=max_level,
        deployment_days=30, status=status,
    )


def side_b_values_match(world) -> dict[str, str]:
    """A need, a contact request and a consortium of enterprise b (town b); town_b reaches each."""
    ent_b = world.enterprises["b"]
    prov_b = provider(world.orgs["provider_b"], town=world.towns["b"])
    off_b = offering(prov_b, "小榄五金智能排产系统", scenarios=("S08", "S11"), industries=("33",))
    need = Need.objects.create(enterprise=ent_b, text="插单多，排产靠老师傅，交期总是延误", scenarios=["S08"])
    contact = ContactRequest.objects.create(enterprise=ent_b, need=need, offering=off_b, provider=prov_b)
    traction = Organisation.objects.get(pk=ent_b.pk)
    consortium = Consortium.objects.create(name="五金锁具产业生态联合体", sector="五金锁具", traction_unit=traction,
                                           lead_provider=prov_b)
    consortium.members.add(traction, world.orgs["provider_b"])
    assert traction.kind == OrganisationKind.ENTERPRISE
    return {"need_id": need.pk, "contact_id": contact.pk, "consortium_id": consortium.pk}
