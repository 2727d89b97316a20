"""Side b's 免申即享 records for the scope test: a run listing enterprise b only, and b's entitlement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def side_b_values(world) -> dict[str, str]:
    from shuzhuan.policy.models import Entitlement, EntitlementStatus, PolicyRun

    run = PolicyRun.objects.create(policies=["zs-demo-workshop"], on=dt.date(2024, 9, 1), period=2024,
                                   versions={"zs-demo-workshop": "2022-02-15"}, snapshot="0" * 64,
                                   summary={"entitled": 1, "total": "1500000.00"})
    entitlement = Entitlement.objects.create(
        run=run, policy="zs-demo-workshop", version="2022-02-15", enterprise=world.enterprises["b"], period=2024,
        amount=Decimal("1500000.00"), status=EntitlementStatus.OFFERED,
        inputs={"approved_amount": "1500000.00", "workshops_awarded_before": 0})
    from shuzhuan.policy.models import Reform

    reform = Reform.objects.create(title="测算", policy="zs-smart-pilot-award", base_version="2024-01-01",
                                   on=dt.date(2024, 9, 1), changes={"provincial_award": "500000.00"}, result={})
    return {"policy_run_id": run.pk, "entitlement_id": entitlement.pk, "reform_id": reform.pk}
