"""Background jobs: a `Job` row per piece of long work, run by a Django task, with progress.

While a job runs its progress goes to the cache (file-based by default, Redis when configured), so
that it can be written during a long database transaction — on SQLite another connection could not
write until that transaction ends. Start, end and result are persisted on the `Job` row.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from shuzhuan.core.models import Job, JobStatus

log = logging.getLogger(__name__)


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
    task.enqueue(str(job.pk))
    return Job.objects.get(pk=job.pk)


class Progress:
    """Handed to job code: `progress(done, total, message)`; writes at most a few times a second."""

    def __init__(self, job_id: Any, min_interval: float = 0.3):
        self.job_id = job_id
        self.min_interval = min_interval
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, message: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.min_interval:
            return
        self._last = now
        cache.set(_key(self.job_id), {"done": done, "total": total or 0, "message": message}, timeout=24 * 3600)


def run(job_id: str, work: Callable[[Job, Progress], dict]) -> dict:
    """Run `work(job, progress)` for a job: mark it running, store its result or its failure."""
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now(), message="开始处理")
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
    """Progress as the page shows it: live figures while running, stored ones after."""
    live = cache.get(_key(job.pk)) if not job.finished else None
    done, total, message = (live["done"], live["total"], live["message"]) if live else (job.done, job.total, job.message)
    if job.status == JobStatus.SUCCEEDED:
        percent = 100
    elif total:
        percent = min(99, int(done * 100 / total))
    else:
        percent = 0
    return {"status": job.status, "done": done, "total": total, "message": message, "percent": percent}


def private_path(*parts: str) -> Path:
    """A path under the private media root (never served directly)."""
    path = Path(settings.PRIVATE_MEDIA_ROOT, *parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
