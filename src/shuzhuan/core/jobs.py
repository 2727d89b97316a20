"""Background jobs: a `Job` row per piece of long work, run by a Django task, with progress.

While a job runs its progress goes to the cache (file-based by default, Redis when configured), so
that it can be written during a long database transaction — on SQLite another connection could not
write until that transaction ends. Start, end and result are persisted on the `Job` row.

A worker can die mid-job (killed, out of memory, machine restarted) and then nobody closes the job.
So a job keeps signs of life — its start, its progress writes (the cache entry carries their time)
and a `heartbeat_at` on the row — and remembers its task's id. Whoever looks at an unfinished job
(`snapshot`, the job pages; `reap_stale`, the `shuzhuan reap-jobs` command) marks it failed when its
task has ended without closing it, or when it has been running without a sign of life for longer
than `settings.JOB_STALE_AFTER_SECONDS` (`core.domain.job_staleness` decides).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.exceptions import TaskResultDoesNotExist

from shuzhuan.core.domain import job_staleness
from shuzhuan.core.models import Job, JobStatus

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 30.0  # seconds between two `heartbeat_at` writes of a running job (at most)
INTERRUPTED = "后台任务中断，请重新提交"
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobFailed(Exception):
    """Raised by job code to end a job with a message meant for the user (in Chinese)."""


def _key(job_id: Any) -> str:
    return f"job-progress:{job_id}"


def start(owner: Any, kind: str, title: str, task: Any, *, params: dict | None = None, input_file: str = "") -> Job:
    """Create the job and enqueue its task (the task receives the job id as a string)."""
    job = Job.objects.create(
        owner=owner if getattr(owner, "pk", None) else None,
        kind=kind,
        title=title,
        params=params or {},
        input_file=input_file,
    )
    result = task.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    return Job.objects.get(pk=job.pk)


class Progress:
    """Handed to job code: `progress(done, total, message)`; writes at most a few times a second.

    Every write is also a sign of life: the cache entry carries its time, and the row's
    `heartbeat_at` is refreshed at most every `heartbeat_interval` seconds — but only outside a
    transaction: inside one (an import runs in one) the write would stay invisible until the commit
    and, on PostgreSQL, would lock the job's row for as long; there the cache entry speaks alone."""

    def __init__(self, job_id: Any, min_interval: float = 0.3, heartbeat_interval: float = HEARTBEAT_INTERVAL):
        self.job_id = job_id
        self.min_interval = min_interval
        self.heartbeat_interval = heartbeat_interval
        self._last = 0.0
        self._last_beat = time.monotonic()  # `run` stamped heartbeat_at when the job started

    def __call__(self, done: int, total: int | None = None, message: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.min_interval:
            return
        self._last = now
        cache.set(_key(self.job_id), {"done": done, "total": total or 0, "message": message, "at": time.time()},
                  timeout=24 * 3600)
        if now - self._last_beat >= self.heartbeat_interval and not transaction.get_connection().in_atomic_block:
            self._last_beat = now
            Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())


def run(job_id: str, work: Callable[[Job, Progress], dict]) -> dict:
    """Run `work(job, progress)` for a job: mark it running, store its result or its failure."""
    job = Job.objects.get(pk=job_id)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, message="开始处理")
    progress = Progress(job.pk)
    try:
        result = work(job, progress) or {}
    except JobFailed as exc:
        _finish(job, JobStatus.FAILED, str(exc), {"error": str(exc)})
        return {"error": str(exc)}
    except Exception as exc:  # the worker must record every failure, then re-raise for its own log
        log.exception("job %s failed", job.pk)
        _finish(job, JobStatus.FAILED, "处理失败：系统错误，请联系管理员", {"error": repr(exc), "trace": traceback.format_exc()[-4000:]})
        raise
    except BaseException:  # SystemExit / KeyboardInterrupt: the worker is being stopped mid-job
        try:
            _finish(job, JobStatus.FAILED, INTERRUPTED, {"error": INTERRUPTED, "interrupted": "worker_stopped"})
        except Exception:  # the worker must still stop; `reap_stale` will close the job later
            log.exception("job %s: could not record the interruption", job.pk)
        raise
    _finish(job, JobStatus.SUCCEEDED, result.pop("message", "已完成"), result)
    return result


def _finish(job: Job, status: str, message: str, result: dict) -> None:
    done = result.get("done", job.total)
    Job.objects.filter(pk=job.pk).update(
        status=status, message=message[:300], result=result, finished_at=timezone.now(),
        done=done or 0, total=result.get("total", done) or 0,
        output_file=result.get("output_file", ""),
    )
    cache.delete(_key(job.pk))


def snapshot(job: Job) -> dict:
    """Progress as the page shows it: live figures while running, stored ones after. A job whose
    worker is gone is marked failed here (`reap_if_stale`), so its page stops waiting."""
    live = None
    if not job.finished:
        live = cache.get(_key(job.pk))
        try:
            if reap_if_stale(job, live=live):
                live = None
        except OperationalError:  # SQLite: another job's transaction holds the write lock; next look
            log.warning("job %s: could not check whether it is stale", job.pk, exc_info=True)
    done, total, message = (live["done"], live["total"], live["message"]) if live else (job.done, job.total, job.message)
    if job.status == JobStatus.SUCCEEDED:
        percent = 100
    elif total:
        percent = min(99, int(done * 100 / total))
    else:
        percent = 0
    return {"status": job.status, "done": done, "total": total, "message": message, "percent": percent}


_UNREAD = object()


def reap_if_stale(job: Job, *, live: Any = _UNREAD, now: dt.datetime | None = None) -> bool:
    """Mark an unfinished job failed (`INTERRUPTED`) when its worker is gone; True if it did.

    `live` is the job's cache entry when the caller has read it already. The task backend is asked
    only when the timestamps alone do not settle it (one query by primary key)."""
    if job.status not in UNFINISHED:
        return False
    now = now or timezone.now()
    if live is _UNREAD:
        live = cache.get(_key(job.pk))
    facts = {"now": now, "stale_after": dt.timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS),
             "last_heartbeat": _last_heartbeat(job, live)}
    reason = job_staleness(job.status, **facts) or job_staleness(job.status, task_status=_task_status(job), **facts)
    if reason is None:
        return False
    done, total = (live["done"], live["total"]) if live else (job.done, job.total)
    fields = {"status": JobStatus.FAILED, "message": INTERRUPTED, "finished_at": now, "done": done or 0,
              "total": total or 0, "result": {**job.result, "error": INTERRUPTED, "interrupted": reason}}
    # Only while still unfinished: a worker that closed the job meanwhile has the last word.
    if not Job.objects.filter(pk=job.pk, status__in=UNFINISHED).update(**fields):
        job.refresh_from_db()
        return False
    for name, value in fields.items():
        setattr(job, name, value)
    cache.delete(_key(job.pk))
    log.warning("job %s (%s) marked failed: %s", job.pk, job.kind, reason)
    return True


def reap_stale(now: dt.datetime | None = None) -> list[Job]:
    """Every queued or running job whose worker is gone, marked failed; the ones marked."""
    return [job for job in Job.objects.filter(status__in=UNFINISHED).order_by("created_at")
            if reap_if_stale(job, now=now)]


def _last_heartbeat(job: Job, live: dict | None) -> dt.datetime | None:
    """The newest sign of life: start, the row's heartbeat, the last progress write."""
    stamps = [stamp for stamp in (job.started_at, job.heartbeat_at) if stamp]
    if live and live.get("at"):
        stamps.append(dt.datetime.fromtimestamp(live["at"], tz=dt.UTC))
    return max(stamps, default=None)


def _task_status(job: Job) -> str | None:
    """The job's task status in the task backend (READY, RUNNING, FAILED, SUCCESSFUL), if it keeps one."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if not job.task_id or not backend.supports_get_result:
        return None
    try:
        return backend.get_result(job.task_id).status
    except TaskResultDoesNotExist:  # pruned (`prune_db_task_results`) or from another backend
        return None


def private_path(*parts: str) -> Path:
    """A path under the private media root (never served directly)."""
    path = Path(settings.PRIVATE_MEDIA_ROOT, *parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
