"""The pilot enterprise pool (试点企业库): applications, proposals, town and city review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shuzhuan.core import audit
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import (
    Listing,
    Programme,
)
from shuzhuan.programs.services.common import ServiceError, _role, _today, _user
from shuzhuan.programs.services.rules import targets
from shuzhuan.registry.models import Enterprise, ZjtxTier


def _earlier_pilots(programme: Programme, enterprise_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Enterprise id → name of an earlier programme it was listed in."""
    rows = Listing.objects.filter(status=wf.LISTING_LISTED, programme__starts_on__lt=programme.starts_on).exclude(
        programme=programme)
    if enterprise_ids is not None:
        rows = rows.filter(enterprise_id__in=list(enterprise_ids))
    return dict(rows.values_list("enterprise_id", "programme__name"))


def check_eligibility(programme: Programme, enterprise: Enterprise) -> wf.Eligibility:
    earlier = _earlier_pilots(programme, [enterprise.pk]).get(enterprise.pk, "")
    firm = wf.Firm(size_class=enterprise.size_class, industry=enterprise.industry_id,
                   little_giant=enterprise.zjtx_tier == ZjtxTier.LITTLE_GIANT, in_earlier_pilot=earlier)
    return wf.eligibility(firm, targets(programme), sme_only=programme.sme_only,
                          exclude_little_giants=programme.exclude_little_giants,
                          exclude_earlier_pilots=programme.exclude_earlier_pilots)


def _baseline_levels(enterprise_ids: Iterable[int]) -> dict[int, int | None]:
    from shuzhuan.assessment.results import official_levels

    return official_levels(enterprise_ids)


@transaction.atomic
def apply_for_listing(actor: Any, programme: Programme, enterprise: Enterprise, note: str = "") -> Listing:
    """The enterprise applies to be listed; refused with the reasons when it is not eligible."""
    if programme.closed:
        raise ServiceError(gettext("该计划已结束，不再受理申请"))
    if Listing.objects.filter(programme=programme, enterprise=enterprise).exists():
        raise ServiceError(gettext("本企业已在该计划的试点企业库中（或申请已提交）"))
    result = check_eligibility(programme, enterprise)
    if not result.eligible:
        raise ServiceError(gettext("不符合申报条件：%(reasons)s") % {"reasons": "；".join(result.reasons)})
    listing = Listing.objects.create(
        programme=programme, enterprise=enterprise, status=wf.LISTING_APPLIED, sub_industry=result.sub_industry,
        baseline_level=_baseline_levels([enterprise.pk]).get(enterprise.pk), eligibility=list(result.explanation),
        note=note,
    )
    audit.record(actor, "programs.listing.apply", listing, f"申请列入「{programme.name}」试点企业库",
                 organisation=enterprise.pk, reason=note)
    return listing


def proposal(programme: Programme, town_id: int | None = None, limit: int | None = None) -> list[tuple[Enterprise, wf.Eligibility, int | None]]:
    """A batch proposal computed from the registry and the assessments: eligible firms of the target
    sub-industries not yet in the pool, those below 二级 (most in need) first, then by revenue."""
    classes = sorted({c for _name, cls in targets(programme).values() for c in cls})
    if not classes:
        return []
    base = Enterprise.objects.filter(industry_id__in=classes).exclude(pilot_listings__programme=programme)
    if programme.sme_only:
        base = base.filter(size_class__in=sorted(wf.SME_CLASSES))
    if programme.exclude_little_giants:
        base = base.exclude(zjtx_tier=ZjtxTier.LITTLE_GIANT)
    if town_id is not None:
        base = base.filter(town_id=town_id)
    firms = list(base.select_related("organisation", "town").order_by("-revenue", "organisation_id"))
    earlier = _earlier_pilots(programme, [f.pk for f in firms]) if programme.exclude_earlier_pilots else {}
    levels = _baseline_levels([f.pk for f in firms])
    found = []
    for firm in firms:
        result = wf.eligibility(
            wf.Firm(firm.size_class, firm.industry_id, firm.zjtx_tier == ZjtxTier.LITTLE_GIANT, earlier.get(firm.pk, "")),
            targets(programme), sme_only=programme.sme_only, exclude_little_giants=programme.exclude_little_giants,
            exclude_earlier_pilots=programme.exclude_earlier_pilots)
        if result.eligible:
            found.append((firm, result, levels.get(firm.pk)))
    found.sort(key=lambda row: (0 if row[2] is not None and row[2] < 2 else 1 if row[2] is None else 2))
    return found[:limit] if limit else found


@transaction.atomic
def propose(actor: Any, programme: Programme, town_id: int | None = None, limit: int | None = None) -> int:
    """Put the proposal into the pool as 'proposed' rows, for the town to review. Returns how many."""
    rows = proposal(programme, town_id, limit)
    listings = [Listing(programme=programme, enterprise=firm, status=wf.LISTING_PROPOSED, sub_industry=result.sub_industry,
                        baseline_level=level, eligibility=list(result.explanation),
                        note="系统根据企业库与评测结果推荐")
                for firm, result, level in rows]
    Listing.objects.bulk_create(listings, batch_size=1000)
    created = Listing.objects.filter(programme=programme, enterprise_id__in=[f.pk for f, _r, _l in rows])
    audit.AuditEntry.objects.bulk_create([
        audit.entry(actor, "programs.listing.propose", listing, f"系统推荐列入「{programme.name}」试点企业库",
                    organisation=listing.enterprise_id, reason="符合条件：" + "；".join(listing.eligibility))
        for listing in created], batch_size=1000)
    return len(listings)


def _town_may_review(actor: Any, listing: Listing) -> bool:
    role = _role(actor)
    return role in wf.CITY_ROLES or (role == wf.TOWN and actor.town_id == listing.enterprise.town_id)


@transaction.atomic
def review_listings(actor: Any, listing_ids: Iterable[int], approve: bool, reason: str = "") -> int:
    """Town review (applied/proposed → town_approved or rejected) or city approval (town_approved →
    listed or rejected), whichever step each listing is at and the actor may take."""
    role = _role(actor)
    if not approve and not reason.strip():
        raise ServiceError(gettext("不通过时请填写原因"))
    rows = list(Listing.objects.select_for_update().filter(pk__in=list(listing_ids))
                .select_related("enterprise__town", "programme"))
    if not rows:
        raise ServiceError(gettext("请选择要审核的企业"))
    today = _today()
    changed = 0
    for listing in rows:
        step = ""
        if listing.status in (wf.LISTING_APPLIED, wf.LISTING_PROPOSED) and _town_may_review(actor, listing):
            step = "town"
            listing.status = wf.LISTING_TOWN_APPROVED if approve else wf.LISTING_REJECTED
            listing.town_reviewed_by, listing.town_reviewed_at = _user(actor), timezone.now()
        elif listing.status == wf.LISTING_TOWN_APPROVED and role in wf.CITY_ROLES:
            step = "city"
            listing.status = wf.LISTING_LISTED if approve else wf.LISTING_REJECTED
            listing.approved_by = _user(actor)
            if approve:
                listing.listed_on = today
                listing.finish_due = wf.add_months(today, listing.programme.finish_months)
        if not step:
            continue
        listing.save()
        changed += 1
        what = {"town": "镇街审核", "city": "市级审定"}[step]
        result = "通过" if approve else "不通过"
        summary = f"试点企业库{what}{result}（{listing.programme.name}）"
        if listing.status == wf.LISTING_LISTED:
            summary += f"，入库日期 {listing.listed_on.isoformat()}，改造完成期限 {listing.finish_due.isoformat()}"
        audit.record(actor, f"programs.listing.{step}_{'approve' if approve else 'reject'}", listing, summary,
                     organisation=listing.enterprise_id, reason=reason)
    if not changed:
        raise ServiceError(gettext("所选企业没有可由您审核的记录"))
    return changed
