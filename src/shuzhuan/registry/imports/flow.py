"""The browser import as two background jobs — a validation (dry run) with an annotated file, then the
import itself — for any importer with the registry's report shape (enterprises, assessment results),
and what its pages say (`ImportPages`, shown by the shared templates `registry/imports/*.html`).

The uploaded file lives under the private media root (`Job.input_file`, relative). The job's owner is
the actor: a town officer's rows are held to their town.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.urls import reverse

from shuzhuan.core import jobs
from shuzhuan.core.models import Job, Role
from shuzhuan.registry.imports.annotate import write_annotated
from shuzhuan.registry.imports.readers import ImportFileError
from shuzhuan.registry.imports.service import ImportReport

PREVIEW_ERRORS = 500  # errors kept on the job for the preview page; the annotated file has them all


@dataclass(frozen=True)
class ImportFlow:
    import_file: Callable[..., ImportReport]  # import_file(path, actor=, progress=, dry_run=/skip_invalid=)
    next_url_name: str  # where the result page sends the user
    done_message: str  # formatted with {created} and {updated}

    def _run(self, job: Job, progress: jobs.Progress, **options: Any) -> ImportReport:
        try:
            return self.import_file(jobs.private_path(job.input_file), actor=job.owner, progress=progress, **options)
        except ImportFileError as exc:
            raise jobs.JobFailed(exc.message) from None

    @staticmethod
    def summary(report: ImportReport) -> dict[str, Any]:
        return {
            "rows_total": report.rows_total, "rows_valid": report.rows_valid, "created": report.created,
            "updated": report.updated, "error_count": report.error_count, "rows_rejected": report.rows_rejected,
            "errors": report.errors[:PREVIEW_ERRORS], "done": report.rows_total, "total": report.rows_total,
        }

    def validate_work(self, job: Job, progress: jobs.Progress) -> dict[str, Any]:
        report = self._run(job, progress, dry_run=True)
        result = self.summary(report)
        result["message"] = f"校验完成：{report.rows_total} 行，{report.rows_rejected} 行有错误"
        if report.errors:
            relative = str(Path(job.input_file).parent / "annotated.xlsx")
            write_annotated(jobs.private_path(job.input_file), report.errors, jobs.private_path(relative))
            stem = Path(job.params.get("filename") or "import").stem
            result.update(output_file=relative, output_name=f"{stem}-错误标注.xlsx")
        return result

    def import_work(self, job: Job, progress: jobs.Progress) -> dict[str, Any]:
        report = self._run(job, progress, skip_invalid=bool(job.params.get("skip_invalid")))
        result = self.summary(report)
        result["next_url"] = reverse(self.next_url_name)
        if report.rolled_back:
            result["message"] = f"文件有 {report.rows_rejected} 行错误，未导入任何数据"
        else:
            result["message"] = self.done_message.format(created=report.created, updated=report.updated)
        return result


PAGE_URLS = {"upload": "import", "template": "import_template", "preview": "import_preview",
             "annotated": "import_annotated", "confirm": "import_confirm", "result": "import_result"}


@dataclass(frozen=True)
class ImportPages:
    """One importer's pages: its jobs, its URL names and the words of the shared templates
    (`registry/imports/upload.html`, `preview.html`, `result.html`). Texts are lazy translations."""

    flow: ImportFlow  # the result page's main button goes to flow.next_url_name
    namespace: str  # URL names <namespace>:import, :import_template, :import_preview, … (see PAGE_URLS)
    validate_kind: str  # Job kinds and tasks of the two steps
    validate_task: Any
    import_kind: str
    import_task: Any
    validate_job_title: str  # job titles, with %(name)s for the file name
    import_job_title: str
    title: str  # the upload page's heading
    preview_title: str
    result_title: str
    crumbs: tuple[tuple[str, str], ...]  # breadcrumbs before the import's own: (label, URL name)
    crumb: str  # the import's own breadcrumb
    checking_note: str  # under the validation's progress bar
    preview_counts: tuple[str, str]  # labels of the created / updated counts in the preview …
    result_counts: tuple[str, str]  # … and on the result page
    next_label: str  # the result page's main button
    next_icon: str  # its Bootstrap icon
    column_help: tuple[str, ...]  # 填写说明: columns, units, matching rules
    town_note: str  # added to the column help for a town officer, with %(town)s

    @property
    def urls(self) -> dict[str, str]:
        """URL names for the templates' {% url %}: upload, template, preview, annotated, confirm, result, next."""
        return {**{page: f"{self.namespace}:{name}" for page, name in PAGE_URLS.items()}, "next": self.flow.next_url_name}

    def help_for(self, user: Any) -> list[str]:
        notes = list(self.column_help)
        if user.role == Role.TOWN_OFFICER:
            notes.append(self.town_note % {"town": user.town})
        return notes


def store_upload(upload: Any) -> str:
    """Save an uploaded file privately; returns its path relative to the private media root."""
    relative = str(Path("imports", uuid.uuid4().hex, "source" + Path(upload.name.lower()).suffix))
    with jobs.private_path(relative).open("wb") as out:
        for piece in upload.chunks():
            out.write(piece)
    return relative
