"""Background jobs of the browser import: a validation (dry run) first, then the import itself.

The uploaded file lives under the private media root (`Job.input_file`, relative). The job's owner
is the actor: a town officer's rows are held to their town.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse
from django_tasks import task

from shuzhuan.core import jobs
from shuzhuan.core.models import Job
from shuzhuan.registry.imports.annotate import write_annotated
from shuzhuan.registry.imports.service import ImportFileError, ImportReport, import_file

VALIDATE = "registry.import.validate"
IMPORT = "registry.import.run"
PREVIEW_ERRORS = 500  # errors kept on the job for the preview page; the annotated file has them all


def _summary(report: ImportReport) -> dict[str, Any]:
    return {
        "rows_total": report.rows_total, "rows_valid": report.rows_valid, "created": report.created,
        "updated": report.updated, "error_count": report.error_count, "rows_rejected": report.rows_rejected,
        "errors": report.errors[:PREVIEW_ERRORS], "done": report.rows_total, "total": report.rows_total,
    }


def _run_import(job: Job, progress: jobs.Progress, **options: Any) -> ImportReport:
    try:
        return import_file(jobs.private_path(job.input_file), actor=job.owner, progress=progress, **options)
    except ImportFileError as exc:
        raise jobs.JobFailed(exc.message) from None


def validate_work(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    report = _run_import(job, progress, dry_run=True)
    result = _summary(report)
    result["message"] = f"校验完成：{report.rows_total} 行，{report.rows_rejected} 行有错误"
    if report.errors:
        relative = str(Path(job.input_file).parent / "annotated.xlsx")
        write_annotated(jobs.private_path(job.input_file), report.errors, jobs.private_path(relative))
        stem = Path(job.params.get("filename") or "import").stem
        result.update(output_file=relative, output_name=f"{stem}-错误标注.xlsx")
    return result


def import_work(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    report = _run_import(job, progress, skip_invalid=bool(job.params.get("skip_invalid")))
    result = _summary(report)
    result["next_url"] = reverse("registry:list")
    if report.rolled_back:
        result["message"] = f"文件有 {report.rows_rejected} 行错误，未导入任何数据"
    else:
        result["message"] = f"导入完成：新建 {report.created} 家，更新 {report.updated} 家"
    return result


@task()
def validate_import(job_id: str) -> dict[str, Any]:
    return jobs.run(job_id, validate_work)


@task()
def run_import(job_id: str) -> dict[str, Any]:
    return jobs.run(job_id, import_work)
