"""The marketplace's part of the demo city: `pool` (providers, solutions, products) and `match`
(needs, contact requests, consortia, chain leaders)."""

from __future__ import annotations

from typing import Any


def demo_accounts() -> dict[str, Any]:
    """The provider demo account's organisation (registered with `core.demo_steps.register_accounts`)."""
    from shuzhuan.marketplace.demo.pool import demo_account_provider

    return {"provider": demo_account_provider()}


def admit_demo_provider(organisation: Any, admitted_on: Any) -> None:
    """Put a fictional provider in the pool (another app's demo step, when the pool step did not run)."""
    from shuzhuan.marketplace.models import PoolStatus, ProviderProfile

    ProviderProfile.objects.update_or_create(organisation=organisation, defaults={
        "pool_status": PoolStatus.IN_POOL, "admitted_on": admitted_on})
