"""The assessment's part of the 待办 queue (core.todo): drafts, rater assignment, on-site ratings."""

from __future__ import annotations

from django.db.models import Count, Exists, Min, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from shuzhuan.core.models import Role
from shuzhuan.core.todo import LIMIT, TodoItem


def todo(request):
    from shuzhuan.assessment.models import Assessment, RaterAssignment, Source, Status

    user = request.user
    items: list[TodoItem] = []
    if user.role == Role.ENTERPRISE:
        drafts = (Assessment.objects.visible_to(user).filter(source=Source.SELF, status=Status.DRAFT)
                  .order_by("created_at", "pk")[:LIMIT])
        items += [TodoItem(_("自评问卷草稿"), _("数字化水平自评（%(d)s 起）") % {"d": a.created_at.date().isoformat()},
                           reverse("assessment:resume", args=[a.pk]), since=a.created_at,
                           note=_("继续填写并提交问卷")) for a in drafts]
    elif user.role in (Role.PROVIDER, Role.EXPERT):
        open_tasks = (RaterAssignment.objects.visible_to(user).filter(done_at__isnull=True)
                      .select_related("enterprise__organisation").order_by("assigned_at", "pk")[:LIMIT])
        items += [TodoItem(_("现场评定"), a.enterprise.organisation.name,
                           reverse("assessment:detail", args=[a.assessment_id]), since=a.assigned_at,
                           note=_("到企业现场核实并签署评定"), category="review") for a in open_tasks]
    if user.is_superuser or user.role in (Role.ADMIN, Role.CITY_OFFICER, Role.TOWN_OFFICER):
        unassigned = (Assessment.objects.visible_to(user)
                      .filter(source=Source.SELF, status=Status.SUBMITTED)
                      .exclude(Exists(RaterAssignment.objects.filter(assessment=OuterRef("pk"), done_at__isnull=True)))
                      .exclude(onsite_ratings__status=Status.SIGNED)
                      .aggregate(n=Count("pk", distinct=True), since=Min("submitted_at")))
        if unassigned["n"]:
            items.append(TodoItem(_("待指派现场评定"), _("%(n)d 份自评已提交，尚未指派评定机构") % {"n": unassigned["n"]},
                                  reverse("assessment:index") + "?view=unassigned", since=unassigned["since"]))
    return items
