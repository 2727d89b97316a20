"""Registry background tasks."""

from __future__ import annotations

from django.http import QueryDict
from django_tasks import task

from shuzhuan.core import jobs


@task()
def export_enterprises(job_id: str) -> dict:
    return jobs.run(job_id, _export)


def _export(job, progress) -> dict:
    from shuzhuan.registry.exporting import write_xlsx
    from shuzhuan.registry.filters import EnterpriseFilterForm
    from shuzhuan.registry.models import Enterprise

    form = EnterpriseFilterForm(QueryDict(job.params.get("query", "")), user=job.owner)
    queryset = form.apply(Enterprise.objects.visible_to(job.owner))
    name = f"exports/{job.pk}.xlsx"
    rows = write_xlsx(queryset, jobs.private_path(name), progress)
    return {"message": f"已导出 {rows} 家企业", "done": rows, "total": rows, "output_file": name,
            "output_name": "企业名录.xlsx"}
