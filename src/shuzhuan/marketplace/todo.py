"""The marketplace's part of the 待办 queue (core.todo): pool reviews, admissions, offerings, contacts, needs."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhuan.core.domain import clip
from shuzhuan.core.models import Role, is_city_wide
from shuzhuan.core.todo import LIMIT, TodoItem


def pool_reviews_for(user) -> list[TodoItem]:
    """An expert's open pool-application reviews (assigned, not yet submitted)."""
    from shuzhuan.marketplace.models import ApplicationStatus, ExpertReview, PoolApplication

    reviews = (ExpertReview.objects.filter(expert=user, submitted_at__isnull=True,
                                           application__status=ApplicationStatus.IN_REVIEW,
                                           application__in=PoolApplication.objects.visible_to(user))
               .select_related("application__provider__organisation").order_by("assigned_at", "pk")[:LIMIT])
    return [TodoItem(_("入池评审"), r.application.provider.organisation.name,
                     reverse("marketplace:application_detail", args=[r.application_id]), since=r.assigned_at,
                     note=_("请评分并填写评审意见"), category="pool_review") for r in reviews]


def todo(request):
    from shuzhuan.marketplace.models import (
        ApplicationStatus,
        ContactRequest,
        ContactStatus,
        Need,
        NeedStatus,
        Offering,
        OfferingStatus,
        PoolApplication,
    )

    user = request.user
    items: list[TodoItem] = []
    if user.role == Role.EXPERT:
        items += pool_reviews_for(user)
    if is_city_wide(user):
        waiting = (PoolApplication.objects.visible_to(user).filter(status=ApplicationStatus.SUBMITTED)
                   .select_related("provider__organisation").order_by("submitted_at", "pk")[:LIMIT])
        items += [TodoItem(_("入池申请"), a.provider.organisation.name,
                           reverse("marketplace:application_detail", args=[a.pk]), since=a.submitted_at,
                           note=_("待指派评审专家")) for a in waiting]
        notice_over = (PoolApplication.objects.visible_to(user).filter(status=ApplicationStatus.NOTICE,
                                                                       notice_end__lte=timezone.localdate())
                       .select_related("provider__organisation").order_by("notice_end", "pk")[:LIMIT])
        items += [TodoItem(_("公示期满"), a.provider.organisation.name,
                           reverse("marketplace:application_detail", args=[a.pk]), since=a.notice_end,
                           note=_("公示已结束，待决定是否入池")) for a in notice_over]
        pending = (Offering.objects.visible_to(user).filter(status=OfferingStatus.PENDING)
                   .select_related("provider__organisation").order_by("updated_at", "pk")[:LIMIT])
        items += [TodoItem(_("方案审核"), o.name, reverse("marketplace:offering_detail", args=[o.pk]),
                           since=o.updated_at, note=o.provider.organisation.name) for o in pending]
    if user.role == Role.PROVIDER and user.organisation_id:
        requests = (ContactRequest.objects.visible_to(user).filter(status=ContactStatus.REQUESTED)
                    .select_related("enterprise__organisation").order_by("created_at", "pk")[:LIMIT])
        items += [TodoItem(_("对接请求"), c.enterprise.organisation.name,
                           reverse("marketplace:contact_detail", args=[c.pk]), since=c.created_at,
                           note=_("企业请您联系，请记录联系结果")) for c in requests]
    if user.role == Role.ENTERPRISE and user.organisation_id:
        answered = (ContactRequest.objects.visible_to(user).filter(status=ContactStatus.CONTACTED)
                    .select_related("provider__organisation").order_by("updated_at", "pk")[:LIMIT])
        items += [TodoItem(_("需求已响应"), c.provider.organisation.name,
                           reverse("marketplace:contact_detail", args=[c.pk]), since=c.updated_at,
                           note=_("服务商已联系您，请查看对接情况")) for c in answered]
        unanswered = (Need.objects.visible_to(user).filter(status=NeedStatus.OPEN, contact_requests__isnull=True)
                      .order_by("created_at", "pk")[:LIMIT])
        items += [TodoItem(_("需求待对接"), clip(n.text, 40), reverse("marketplace:need_detail", args=[n.pk]),
                           since=n.created_at, note=_("查看推荐方案，请服务商联系您")) for n in unanswered]
    return items
