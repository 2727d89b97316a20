"""Side b's records for the scope test's URL parameters of the assessment-results import pages:
a validation job (with its annotated file) and an import run, both owned by town b's officer.
(Report pages reuse `assessment_id` from scope_fixtures_sheets: a submitted sheet of enterprise b.)"""

from __future__ import annotations

from shuzhuan.assessment import tasks
from shuzhuan.core.jobs import private_path
from shuzhuan.core.models import Job, JobStatus
from shuzhuan.registry.imports.annotate import write_annotated


def side_b_values_results_import(world) -> dict[str, str]:
    owner, ent = world.users["town_b"], world.enterprises["b"]
    source = "imports/side-b-results/source.csv"
    private_path(source).write_text(f"统一社会信用代码,评测日期,总分,等级\n{ent.uscc},2024-05-08,30,二级\n", encoding="utf-8")
    errors = [{"row": 2, "column": "等级", "code": "level_mismatch", "message": "二级要求总分不低于 40 分"}]
    write_annotated(private_path(source), errors, private_path("imports/side-b-results/annotated.xlsx"))
    summary = {"rows_total": 1, "rows_valid": 0, "created": 0, "updated": 0, "error_count": 1, "rows_rejected": 1,
               "errors": errors, "output_name": f"{ent.name}.xlsx"}
    check = Job.objects.create(owner=owner, kind=tasks.VALIDATE, title=f"校验 {ent.name}", status=JobStatus.SUCCEEDED,
                               input_file=source, output_file="imports/side-b-results/annotated.xlsx", result=summary,
                               params={"filename": f"{ent.name}.csv"})
    run = Job.objects.create(owner=owner, kind=tasks.IMPORT, title=f"导入 {ent.name}", status=JobStatus.SUCCEEDED,
                             input_file=source, result=summary, params={"source": str(check.pk)})
    return {"results_check_id": str(check.pk), "results_run_id": str(run.pk)}
