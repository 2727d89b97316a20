"""Side b's programme records for the scope test: enterprise b's project (in a payout batch, with a
document) — contracted with provider b, assigned to no expert — and the batch holding it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def make_programme(code: str = "demo-pilot"):
    from shuzhuan.programs.models import Programme

    programme, _created = Programme.objects.get_or_create(code=code, defaults={
        "name": "中小企业数字化转型城市试点（测试）", "starts_on": dt.date(2024, 7, 1), "ends_on": dt.date(2028, 7, 1)})
    return programme


def side_b_values(world) -> dict[str, str]:
    from shuzhuan.assessment.models import Assessment, Kind, Source, Status
    from shuzhuan.core.jobs import private_path
    from shuzhuan.programs.domain import workflow as wf
    from shuzhuan.programs.models import Listing, PayoutBatch, Project, ProjectDocument

    programme = make_programme()
    enterprise = world.enterprises["b"]
    listing = Listing.objects.create(programme=programme, enterprise=enterprise, status=wf.LISTING_TOWN_APPROVED,
                                     sub_industry="hardware")
    today = dt.date.today()
    rating = Assessment.objects.create(enterprise=enterprise, kind=Kind.POST, source=Source.ONSITE, status=Status.SIGNED,
                                       level=3, score=Decimal("66.000"), assessed_on=today)
    batch = PayoutBatch.objects.create(programme=programme, month=today.replace(day=1))
    project = Project.objects.create(
        programme=programme, listing=listing, enterprise=enterprise, provider=world.orgs["provider_b"],
        title="小榄永固 MES 改造", state=wf.IN_BATCH, post_assessment=rating, level_achieved=3, required_level=2,
        subsidy_amount=Decimal("300000.00"), subsidy_by_source={"central": "100000.00", "provincial": "100000.00",
                                                                "municipal": "100000.00"}, batch=batch)
    relative = f"programs/{project.pk}/side-b.pdf"
    private_path(relative).write_bytes(b"%PDF-1.4 side b contract")
    document = ProjectDocument.objects.create(project=project, kind="contract", file_type="pdf", path=relative,
                                              name="小榄永固合同.pdf", size=24)
    return {"project_id": project.pk, "document_id": document.pk, "batch_id": batch.pk}
