"""Background jobs of the browser import: a validation (dry run) first, then the import itself.

The uploaded file lives under the private media root (`Job.input_file`, relative). The job's owner
is the actor: a town officer's rows are held to their town.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from shuzhuan.core import jobs
from shuzhuan.registry.imports.flow import ImportFlow
from shuzhuan.registry.imports.service import import_file

VALIDATE = "registry.import.validate"
IMPORT = "registry.import.run"
FLOW = ImportFlow(import_file, "registry:list", "导入完成：新建 {created} 家，更新 {updated} 家")
validate_work, import_work = FLOW.validate_work, FLOW.import_work


@task()
def validate_import(job_id: str) -> dict[str, Any]:
    return jobs.run(job_id, validate_work)


@task()
def run_import(job_id: str) -> dict[str, Any]:
    return jobs.run(job_id, import_work)
