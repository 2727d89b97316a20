"""Side b's repayment-report import jobs for the scope test: a validation job (with its annotated file)
and an import run, owned by the city officer (the import pages are for banks and the city)."""

from __future__ import annotations

from shuzhuan.core.jobs import private_path
from shuzhuan.core.models import Job, JobStatus
from shuzhuan.finance import tasks
from shuzhuan.registry.imports.annotate import write_annotated


def side_b_values_repayments_import(world) -> dict[str, str]:
    owner, ent = world.users["city"], world.enterprises["b"]
    source = "imports/side-b-repayments/source.csv"
    private_path(source).write_text(f"业务编号,还款日期,还款本金,实付利息\n{ent.uscc},2025-05-01,0,100\n", encoding="utf-8")
    errors = [{"row": 2, "column": "业务编号", "code": "unknown_loan", "message": "本行没有这一业务编号的贷款"}]
    write_annotated(private_path(source), errors, private_path("imports/side-b-repayments/annotated.xlsx"))
    summary = {"rows_total": 1, "rows_valid": 0, "created": 0, "updated": 0, "error_count": 1, "rows_rejected": 1,
               "errors": errors, "output_name": f"{ent.name}.xlsx"}
    check = Job.objects.create(owner=owner, kind=tasks.VALIDATE, title=f"校验 {ent.name}", status=JobStatus.SUCCEEDED,
                               input_file=source, output_file="imports/side-b-repayments/annotated.xlsx", result=summary,
                               params={"filename": f"{ent.name}.csv"})
    run = Job.objects.create(owner=owner, kind=tasks.IMPORT, title=f"导入 {ent.name}", status=JobStatus.SUCCEEDED,
                             input_file=source, result=summary, params={"source": str(check.pk)})
    return {"repayments_check_id": str(check.pk), "repayments_run_id": str(run.pk)}
