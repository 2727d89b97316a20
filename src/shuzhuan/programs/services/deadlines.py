"""Deadlines and reminders."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from shuzhuan.core import audit
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import (
    Project,
)
from shuzhuan.programs.services.common import _today

OPEN_STATES = (wf.DRAFT, wf.CONTRACT_FILED, wf.IN_PROGRESS, wf.COMPLETED)


def overdue_projects(queryset=None, today: dt.date | None = None):
    """Projects past a deadline in the state that deadline applies to."""
    today = today or _today()
    base = queryset if queryset is not None else Project.objects.all()
    return base.filter(
        Q(state__in=[wf.DRAFT, wf.CONTRACT_FILED, wf.IN_PROGRESS], finish_due__lt=today)
        | Q(state=wf.COMPLETED, acceptance_due__lt=today))


def remind_deadlines(today: dt.date | None = None, every_days: int = 7) -> int:
    """Write a reminder on each overdue or soon-due project's timeline, at most once a week each."""
    today = today or _today()
    soon = today + dt.timedelta(days=14)
    due = Project.objects.filter(
        Q(state__in=[wf.DRAFT, wf.CONTRACT_FILED, wf.IN_PROGRESS], finish_due__lte=soon)
        | Q(state=wf.COMPLETED, acceptance_due__lte=soon)).filter(
        Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lte=today - dt.timedelta(days=every_days)))
    count = 0
    for project in due.select_related("programme"):
        line = (wf.overdue(project.state, today, project.finish_due, project.acceptance_due)
                or wf.due_soon(project.state, today, project.finish_due, project.acceptance_due))
        if not line:
            continue
        with transaction.atomic():
            Project.objects.filter(pk=project.pk).update(last_reminded_on=today)
            audit.record(None, "programs.project.remind", project, f"期限提醒：「{project.title}」{line}",
                         organisation=project.enterprise_id)
        count += 1
    return count
