"""The programmes' deadline reminders, end to end: the scheduler enqueues them, a worker writes them.

(Moved from core's periodic tests: core sits below the programmes and never imports them.)"""

from __future__ import annotations

import datetime as dt
import io

import pytest


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a batch
def test_scheduler_once_enqueues_the_deadline_reminders_and_the_worker_writes_them(world, settings):
    from django.core.management import call_command

    from shuzhuan.core.models import AuditEntry
    from shuzhuan.programs.domain import workflow as wf
    from shuzhuan.programs.models import Project
    from shuzhuan.programs.tests.factories import drive, fund, make_programme

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # as in production
    fund(make_programme())
    project = drive(world, wf.IN_PROGRESS)
    Project.objects.filter(pk=project.pk).update(finish_due=dt.date.today() - dt.timedelta(days=3))
    reminders = AuditEntry.objects.filter(action="programs.project.remind", organisation_id=project.enterprise_id)

    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "已加入队列：programs.remind_deadlines" in out.getvalue()
    assert not reminders.exists()  # enqueued, not yet run

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    assert reminders.count() == 1
    assert reminders.get().summary.startswith("期限提醒")

    again = io.StringIO()
    call_command("scheduler", "--once", stdout=again)
    assert "已加入队列" not in again.getvalue()  # today's period is taken
