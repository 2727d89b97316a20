"""The enterprise's satisfaction rating and the provider's star rating it feeds."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext

from shuzhuan.core import audit
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import (
    Project,
    Satisfaction,
)
from shuzhuan.programs.services.common import ServiceError, _role, _user
from shuzhuan.programs.services.projects import _locked


@transaction.atomic
def rate_provider(actor: Any, project: Project, score: int, comment: str = "") -> Satisfaction:
    """After payout the enterprise rates its provider 1–5 (once per project)."""
    row = _locked(project)
    if not (_role(actor) == wf.ENTERPRISE and actor.organisation_id == row.enterprise_id):
        raise ServiceError(gettext("只有项目所属企业可以评价服务商"))
    if row.state != wf.PAID:
        raise ServiceError(gettext("补助兑现后才能评价服务商"))
    if Satisfaction.objects.filter(project=row).exists():
        raise ServiceError(gettext("已评价过该项目的服务商"))
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ServiceError(gettext("满意度应为 1–5 的整数"))
    rating = Satisfaction.objects.create(project=row, provider_id=row.provider_id, score=score, comment=comment.strip(),
                                         rated_by=_user(actor))
    audit.record(actor, "programs.project.rate", row, f"评价服务商满意度 {score} 分", organisation=row.enterprise_id,
                 reason=comment.strip())
    refresh_provider_stars(row.provider_id, actor)
    return rating


def delivery_record(provider_id: int):
    """The provider's delivery record for its star rating: satisfaction (1–5 → 0–100), projects that
    applied for acceptance and how many did so on time, and its admission score."""
    from django.db.models import Avg, F

    from shuzhuan.marketplace.domain.stars import DeliveryRecord
    from shuzhuan.marketplace.services.pool import admission_score, satisfaction_points

    rated = Satisfaction.objects.filter(provider_id=provider_id).aggregate(n=Count("pk"), mean=Avg("score"))
    accepted = Project.objects.filter(provider_id=provider_id, acceptance_applied_on__isnull=False).aggregate(
        n=Count("pk"),
        on_time=Count("pk", filter=Q(acceptance_due__isnull=True) | Q(acceptance_applied_on__lte=F("acceptance_due"))),
    )
    mean = rated["mean"]
    return DeliveryRecord(
        rated_projects=rated["n"],
        satisfaction=None if mean is None else satisfaction_points(mean),  # × the star rule's factor
        accepted_projects=accepted["n"], on_time_projects=accepted["on_time"],
        admission_score=admission_score(provider_id),
    )


def refresh_provider_stars(provider_id: int | None, actor: Any = None) -> None:
    """Satisfaction and acceptance feed the pool's star rating (issue 5 item 7, DESIGN decision 12)."""
    from shuzhuan.marketplace.services.pool import refresh_stars_of

    refresh_stars_of(provider_id, lambda: delivery_record(provider_id), actor)
