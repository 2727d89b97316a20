"""Side b's import jobs for the scope test: a validation (with its annotated file) and an import."""

from __future__ import annotations

from shuzhuan.core.jobs import private_path
from shuzhuan.core.models import Job, JobStatus
from shuzhuan.registry.imports import tasks
from shuzhuan.registry.imports.annotate import write_annotated


def side_b_values_import(world) -> dict[str, str]:
    owner, ent = world.users["town_b"], world.enterprises["b"]
    source = "imports/side-b/source.csv"
    private_path(source).write_text(f"统一社会信用代码,企业名称,所属镇街,年度\n{ent.uscc},{ent.name},火星,2024\n", encoding="utf-8")
    errors = [{"row": 2, "column": "所属镇街", "code": "unknown_town", "message": "镇街“火星”不存在"}]
    write_annotated(private_path(source), errors, private_path("imports/side-b/annotated.xlsx"))
    summary = {"rows_total": 1, "rows_valid": 0, "created": 0, "updated": 0, "error_count": 1, "rows_rejected": 1,
               "errors": errors, "output_name": f"{ent.name}.xlsx"}
    check = Job.objects.create(owner=owner, kind=tasks.VALIDATE, title=f"校验 {ent.name}", status=JobStatus.SUCCEEDED,
                               input_file=source, output_file="imports/side-b/annotated.xlsx", result=summary,
                               params={"filename": f"{ent.name}.csv"})
    run = Job.objects.create(owner=owner, kind=tasks.IMPORT, title=f"导入 {ent.name}", status=JobStatus.SUCCEEDED,
                             input_file=source, result=summary, params={"source": str(check.pk)})
    return {"check_id": str(check.pk), "run_id": str(run.pk)}
