"""Background jobs whose worker died: told apart from live ones, marked failed when looked at and by
`shuzhuan reap-jobs`, with a message the job page shows."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from conftest import make_user
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from shuzhuan.core import jobs
from shuzhuan.core.domain import STALE_NO_HEARTBEAT, STALE_TASK_ENDED, job_staleness
from shuzhuan.core.models import Job, JobStatus

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
TEN_MINUTES = dt.timedelta(minutes=10)


@task()
def quiet_task(job_id: str) -> dict:
    return jobs.run(job_id, lambda job, progress: {"message": "完成"})


# --- the pure rule -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "age_minutes", "task_status", "expected"), [
    ("running", 11, None, STALE_NO_HEARTBEAT),      # worker died: no sign of life for too long
    ("running", 9, None, None),                     # still within the threshold
    ("running", 9, "RUNNING", None),
    ("running", 1, "FAILED", STALE_TASK_ENDED),      # the task ended but never closed the job
    ("queued", 1, "FAILED", STALE_TASK_ENDED),
    ("queued", 1, "SUCCESSFUL", STALE_TASK_ENDED),
    ("queued", 600, "READY", None),                 # waiting for a worker is no failure
    ("queued", 600, None, None),
    ("succeeded", 600, "FAILED", None),              # finished jobs are left alone
    ("failed", 600, None, None),
])
def test_job_staleness(status, age_minutes, task_status, expected):
    beat = NOW - dt.timedelta(minutes=age_minutes)
    assert job_staleness(status, now=NOW, stale_after=TEN_MINUTES, last_heartbeat=beat, task_status=task_status) == expected


def test_a_running_job_without_any_timestamp_is_not_guessed_stale():
    assert job_staleness("running", now=NOW, stale_after=TEN_MINUTES, last_heartbeat=None) is None


# --- marking, as the pages and the command see it ---------------------------------------------------------

@pytest.fixture
def owner(db):
    return make_user("city", "city_officer")


def running_job(owner, minutes_ago: float, **fields) -> Job:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return Job.objects.create(owner=owner, kind="test", title="导入企业名录", status=JobStatus.RUNNING,
                              started_at=at, heartbeat_at=at, message="开始处理", **fields)


def test_a_job_whose_worker_died_is_reported_failed_on_its_page(owner, client):
    job = running_job(owner, minutes_ago=30)
    client.force_login(owner)
    response = client.get(reverse("core:job", args=[job.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "后台任务中断，请重新提交" in text and "alert-danger" in text and "hx-trigger" not in text
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == jobs.INTERRUPTED and job.finished_at
    assert job.result["interrupted"] == STALE_NO_HEARTBEAT


def test_the_polling_fragment_reloads_the_page_once_the_job_is_marked(owner, client):
    job = running_job(owner, minutes_ago=30)
    client.force_login(owner)
    response = client.get(reverse("core:job", args=[job.pk]) + "?reload=1", headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true" and "后台任务中断，请重新提交" in response.content.decode()


def test_the_job_list_marks_it_too(owner, client):
    job = running_job(owner, minutes_ago=30)
    client.force_login(owner)
    assert "后台任务中断，请重新提交" in client.get(reverse("core:jobs")).content.decode()
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED


def test_a_fresh_running_job_keeps_running(owner, client):
    job = running_job(owner, minutes_ago=1)
    client.force_login(owner)
    response = client.get(reverse("core:job", args=[job.pk]))
    assert "hx-trigger" in response.content.decode() and "后台任务中断" not in response.content.decode()
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_progress_in_the_cache_is_a_sign_of_life(owner):
    """An import runs in one transaction, so it cannot touch its row: its progress writes speak for it."""
    job = running_job(owner, minutes_ago=30)
    jobs.Progress(job.pk)(120, 1000, "已校验 120 行")
    assert jobs.reap_stale() == []
    assert jobs.snapshot(job)["status"] == JobStatus.RUNNING


def test_a_locked_database_leaves_the_page_as_it_was(owner, monkeypatch):
    """SQLite: while another job's transaction holds the write lock, the page shows the job unchanged."""
    from django.db import OperationalError

    job = running_job(owner, minutes_ago=30)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(jobs, "reap_if_stale", locked)
    assert jobs.snapshot(job)["status"] == JobStatus.RUNNING


def test_the_threshold_is_a_setting(owner, settings):
    job = running_job(owner, minutes_ago=3)
    assert not jobs.reap_if_stale(job)
    settings.JOB_STALE_AFTER_SECONDS = 120
    assert jobs.reap_if_stale(job) and job.status == JobStatus.FAILED


def test_the_last_progress_stays_on_the_failed_job(owner):
    job = running_job(owner, minutes_ago=30)
    cache.set(jobs._key(job.pk), {"done": 40, "total": 100, "message": "已校验 40 行", "at": time.time() - 3600})
    assert jobs.reap_if_stale(job)
    job.refresh_from_db()
    assert (job.done, job.total) == (40, 100) and cache.get(jobs._key(job.pk)) is None
    assert jobs.snapshot(job) == {"status": "failed", "done": 40, "total": 100, "message": jobs.INTERRUPTED, "percent": 40}


def test_a_job_closed_meanwhile_is_not_overwritten(owner):
    job = running_job(owner, minutes_ago=30)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, message="已完成")
    assert not jobs.reap_if_stale(job)  # `job` still says running; the row has the last word
    assert job.status == JobStatus.SUCCEEDED and job.message == "已完成"


def test_a_queued_job_waits_for_a_worker_however_long(owner):
    job = Job.objects.create(owner=owner, kind="test", title="排队", created_at=timezone.now() - dt.timedelta(days=1))
    assert not jobs.reap_if_stale(job)


def test_the_command_reaps_and_says_what(owner):
    dead, alive = running_job(owner, minutes_ago=30), running_job(owner, minutes_ago=1)
    done = Job.objects.create(owner=owner, kind="test", title="已完成的", status=JobStatus.SUCCEEDED,
                              started_at=timezone.now() - dt.timedelta(days=1))
    out = io.StringIO()
    call_command("reap_jobs", stdout=out)
    assert "已标记为失败：1 个中断的后台任务" in out.getvalue() and str(dead.pk) in out.getvalue()
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {dead.pk: "failed", alive.pk: "running", done.pk: "succeeded"}
    out = io.StringIO()
    call_command("reap_jobs", stdout=out)
    assert "已标记为失败：0 个" in out.getvalue()


def test_the_scheduler_reaps_every_few_minutes(owner):
    from shuzhuan.core import periodic
    from shuzhuan.core.tasks import reap_stale_jobs

    entry = next(e for e in periodic.registered() if e.name == "core.reap_stale_jobs")
    assert entry.task is reap_stale_jobs and entry.schedule == periodic.Every(dt.timedelta(minutes=5))
    dead = running_job(owner, minutes_ago=30)
    assert periodic.run_due(entries=[entry]) == ["core.reap_stale_jobs"]  # tests run tasks at once
    assert Job.objects.get(pk=dead.pk).status == JobStatus.FAILED


# --- the task backend's word (django_tasks_db) --------------------------------------------------------------

@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_start_remembers_the_task(owner, database_tasks):
    from django_tasks_db.models import DBTaskResult

    job = jobs.start(owner, "test", "排队", quiet_task)
    assert job.status == JobStatus.QUEUED and job.task_id
    assert DBTaskResult.objects.get(pk=job.task_id).args_kwargs["args"] == [str(job.pk)]


@pytest.mark.parametrize("job_status", [JobStatus.QUEUED, JobStatus.RUNNING])
def test_a_job_whose_task_failed_is_reported_failed(owner, client, database_tasks, job_status):
    from django_tasks_db.models import DBTaskResult

    job = jobs.start(owner, "test", "排队", quiet_task)
    Job.objects.filter(pk=job.pk).update(status=job_status, started_at=timezone.now(), heartbeat_at=timezone.now())
    client.force_login(owner)
    assert "后台任务中断" not in client.get(reverse("core:job", args=[job.pk])).content.decode()  # task READY
    DBTaskResult.objects.filter(pk=job.task_id).update(status="FAILED")  # e.g. the worker was stopped mid-task
    assert "后台任务中断，请重新提交" in client.get(reverse("core:job", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result["interrupted"] == STALE_TASK_ENDED


def test_a_fresh_job_costs_one_task_lookup_and_no_write(owner, database_tasks):
    job = jobs.start(owner, "test", "排队", quiet_task)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    with CaptureQueriesContext(transaction.get_connection()) as queries:
        jobs.snapshot(job)
    assert len(queries) == 1 and queries[0]["sql"].lstrip().upper().startswith("SELECT")


def test_a_pruned_task_leaves_the_decision_to_the_heartbeat(owner, database_tasks):
    from django_tasks_db.models import DBTaskResult

    job = jobs.start(owner, "test", "排队", quiet_task)
    DBTaskResult.objects.filter(pk=job.task_id).delete()
    assert not jobs.reap_if_stale(job)


# --- the worker's side -------------------------------------------------------------------------------------

def test_start_stores_the_task_id_with_the_immediate_backend_too(owner):
    job = jobs.start(owner, "test", "立即", quiet_task)
    assert job.status == JobStatus.SUCCEEDED and job.task_id and job.heartbeat_at


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_a_worker_stopped_mid_job_closes_it(owner, stop):
    job = Job.objects.create(owner=owner, kind="test", title="被中断")

    def work(job, progress):
        raise stop()

    with pytest.raises(stop):
        jobs.run(str(job.pk), work)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == jobs.INTERRUPTED


@pytest.mark.django_db(transaction=True)
def test_progress_beats_on_the_row_at_most_every_interval_and_never_inside_a_transaction():
    job = Job.objects.create(kind="test", title="心跳", status=JobStatus.RUNNING, heartbeat_at=NOW)
    connection = transaction.get_connection()

    def beat(progress) -> dt.datetime:
        progress(1, 10, "进行中", force=True)
        return Job.objects.get(pk=job.pk).heartbeat_at

    with CaptureQueriesContext(connection) as queries:
        assert beat(jobs.Progress(job.pk)) == NOW  # within the interval since the start: cache only
    assert len(queries) == 1  # the read above; no write
    eager = jobs.Progress(job.pk, heartbeat_interval=0)
    with transaction.atomic():
        assert beat(eager) == NOW  # inside a transaction: cache only
    assert beat(eager) > NOW
    assert cache.get(jobs._key(job.pk))["at"] == pytest.approx(time.time(), abs=5)
