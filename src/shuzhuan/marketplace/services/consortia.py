"""The city maintains its 1+1+N consortia (产业生态联合体): the traction unit, the lead platform/provider,
the N members and the catalogue of products and services. Every change is audited onto the consortium
and onto the timeline of the organisation it concerns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shuzhuan.core import audit
from shuzhuan.core.models import Organisation, OrganisationKind
from shuzhuan.marketplace.models import Consortium, Offering, OfferingStatus, PoolStatus, ProviderProfile

MEMBER_KINDS = (OrganisationKind.ENTERPRISE, OrganisationKind.PROVIDER)
MAX_MEMBERS_PER_PASTE = 500
_SEPARATORS = re.compile(r"[\s,，;；、]+")


def consortium_fields(c: Consortium) -> dict[str, Any]:
    return {"name": c.name, "sector": c.sector, "traction_unit": c.traction_unit_id,
            "lead_provider": c.lead_provider_id, "description": c.description}


@transaction.atomic
def save_consortium(actor: Any, consortium: Consortium | None, values: dict[str, Any]) -> Consortium:
    """Create or update one consortium; the traction unit and the lead provider become members."""
    creating = consortium is None
    c = consortium or Consortium()
    before = {} if creating else consortium_fields(c)
    for name, value in values.items():
        setattr(c, name, value)
    c.save()
    changes = audit.diff(before, consortium_fields(c))
    joined = _ensure_members(c, [c.traction_unit_id, c.lead_provider_id])
    if creating:
        audit.record(actor, "consortium.create", c, f"建立产业生态联合体：{c.name}（{c.sector}）", changes=changes)
    elif changes:
        audit.record(actor, "consortium.update", c, f"修改产业生态联合体：{c.name}", changes=changes)
    _record_joined(actor, c, joined)
    return c


def _ensure_members(c: Consortium, org_ids: Iterable[int | None]) -> list[Organisation]:
    wanted = {pk for pk in org_ids if pk}
    present = set(c.members.filter(pk__in=wanted).values_list("pk", flat=True))
    joined = list(Organisation.objects.filter(pk__in=wanted - present).order_by("name"))
    c.members.add(*joined)
    return joined


def _record_joined(actor: Any, c: Consortium, orgs: Iterable[Organisation]) -> None:
    audit.AuditEntry.objects.bulk_create([
        audit.entry(actor, "consortium.member_add", c, f"加入产业生态联合体：{c.name}", organisation=org.pk,
                    changes={"member": [None, org.name]})
        for org in orgs
    ])


def parse_codes(text: str) -> list[str]:
    """The codes in a pasted block (one per line, or separated by spaces, commas, 、 or ；), upper-cased,
    in order, without repeats."""
    seen: dict[str, None] = {}
    for token in _SEPARATORS.split(text or ""):
        if token:
            seen.setdefault(token.strip().upper(), None)
    return list(seen)


@dataclass
class MemberResult:
    added: list[Organisation] = field(default_factory=list)
    already: list[Organisation] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    wrong_kind: list[Organisation] = field(default_factory=list)


@transaction.atomic
def add_members(actor: Any, c: Consortium, codes: list[str]) -> MemberResult:
    """Add registered enterprises and providers by 统一社会信用代码; say which codes could not be added."""
    from shuzhuan.registry.domain import UsccError, validate_uscc

    result = MemberResult()
    valid: list[str] = []
    for code in codes[:MAX_MEMBERS_PER_PASTE]:
        try:
            valid.append(validate_uscc(code).code)
        except UsccError:
            result.invalid.append(code)
    found = {o.uscc: o for o in Organisation.objects.filter(uscc__in=valid)}
    present = set(c.members.filter(uscc__in=valid).values_list("uscc", flat=True))
    for code in valid:
        org = found.get(code)
        if org is None:
            result.not_found.append(code)
        elif org.kind not in MEMBER_KINDS:
            result.wrong_kind.append(org)
        elif code in present:
            result.already.append(org)
        else:
            result.added.append(org)
    c.members.add(*result.added)
    _record_joined(actor, c, result.added)
    return result


class MemberRemovalError(ValueError):
    pass


@transaction.atomic
def remove_member(actor: Any, c: Consortium, org_id: int, reason: str = "") -> Organisation:
    org = c.members.filter(pk=org_id).first()
    if org is None:
        raise MemberRemovalError(_("该单位不是本联合体成员"))
    if org.pk in (c.traction_unit_id, c.lead_provider_id):
        raise MemberRemovalError(_("牵引单位和平台/服务商不能移出；请先在“修改”中更换"))
    c.members.remove(org)
    dropped = list(c.offerings.filter(provider_id=org.pk).values_list("pk", flat=True))
    if dropped:
        c.offerings.remove(*dropped)
    audit.record(actor, "consortium.member_remove", c, f"移出产业生态联合体：{c.name}", organisation=org.pk,
                 changes={"member": [org.name, None], "offerings_removed": [len(dropped), None]}, reason=reason)
    return org


def catalogue_candidates(c: Consortium) -> QuerySet[Offering]:
    """Published offerings of the consortium's providers (members and the lead) that are in the pool."""
    providers = Q(provider__organisation__in=c.members.all())
    if c.lead_provider_id:
        providers |= Q(provider_id=c.lead_provider_id)
    return (Offering.objects.filter(providers, status=OfferingStatus.PUBLISHED,
                                    provider__pool_status=PoolStatus.IN_POOL)
            .select_related("provider__organisation").order_by("provider__organisation__name", "kind", "name", "pk"))


@transaction.atomic
def set_catalogue(actor: Any, c: Consortium, offering_ids: Iterable[int]) -> tuple[int, int]:
    """Make the catalogue exactly these offerings (only eligible ones are taken). Returns (added, removed)."""
    eligible = set(catalogue_candidates(c).filter(pk__in=set(offering_ids)).values_list("pk", flat=True))
    current = set(c.offerings.values_list("pk", flat=True))
    added, removed = eligible - current, current - eligible
    c.offerings.add(*added)
    c.offerings.remove(*removed)
    if added or removed:
        audit.record(actor, "consortium.catalogue", c,
                     f"调整产品与服务目录：新增 {len(added)} 项，移除 {len(removed)} 项（现 {len(eligible)} 项）",
                     changes={"added": [None, sorted(added)], "removed": [sorted(removed), None]})
    return len(added), len(removed)


def lead_provider_choices() -> QuerySet[ProviderProfile]:
    return ProviderProfile.objects.filter(pool_status=PoolStatus.IN_POOL).select_related("organisation").order_by(
        "organisation__name")


def history(c: Consortium) -> QuerySet[audit.AuditEntry]:
    return audit.AuditEntry.objects.filter(target_type="marketplace.consortium", target_id=str(c.pk)).order_by("-at", "-id")
