"""Side b's quarterly interest-subsidy claim for the scope test: enterprise b's 2025 Q2 claim (an
entitlement of a policy run), reached by town b's officer and the city only."""

from __future__ import annotations

from decimal import Decimal


def side_b_values_interest_claims(world) -> dict[str, str]:
    from shuzhuan.finance.models import InterestClaim
    from shuzhuan.policy.models import Entitlement, PolicyRun

    run = PolicyRun.objects.create(policies=["zs-digital-loan-interest"], on="2025-06-30", period=20252, snapshot="0" * 64)
    entitlement = Entitlement.objects.create(run=run, policy="zs-digital-loan-interest", version="1",
                                             enterprise=world.enterprises["b"], period=20252, amount=Decimal("100.00"))
    claim = InterestClaim.objects.create(enterprise=world.enterprises["b"], year=2025, quarter=2,
                                         policy="zs-digital-loan-interest", amount=Decimal("100.00"),
                                         cumulative=Decimal("100.00"), interest_counted=Decimal("100.00"),
                                         entitlement=entitlement)
    return {"interest_claim_id": str(claim.pk)}
