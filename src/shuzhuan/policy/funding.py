"""Each policy owns a budget line in the funds ledger (免申即享 payouts), through the ledger's
registration hook: funds sits below policy and never imports it (`funds.programmes.register_catalogue`).

The demo city pays the 1+4+N package from municipal money (中府〔2022〕1号 is a city document), so a
policy's versions each have one fund source, 市级, weight 1; the purpose is 直接补助中小企业 and no
purpose rule applies. A ledger reference is `entitlement:<id>`, shown in words by `describe`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from shuzhuan.core.money import PurposeRule
from shuzhuan.policy import library

SOURCE = "municipal"
PURPOSE = "direct_sme"


@dataclass(frozen=True)
class FundSource:
    code: str = SOURCE
    label: str = "市级"
    weight: Decimal = Decimal("1")


@dataclass(frozen=True)
class FundedVersion:
    effective_from: dt.date
    fund_sources: tuple[FundSource, ...] = (FundSource(),)
    purpose_rule: PurposeRule | None = None

    @property
    def shares(self) -> dict[str, Decimal]:
        return {s.code: s.weight for s in self.fund_sources}


@dataclass(frozen=True)
class FundedPolicy:
    code: str
    title: str
    versions: tuple[FundedVersion, ...] = field(default_factory=tuple)

    def version_on(self, on: dt.date) -> FundedVersion | None:
        started = [v for v in self.versions if v.effective_from <= on]
        return max(started, key=lambda v: v.effective_from) if started else None


def available() -> list[str]:
    return [code for code in library.codes() if library.load_file_policy(code).subject == "enterprise"]


def load(code: str) -> FundedPolicy:
    """The policy as the ledger sees it; `LookupError` (UnknownPolicy) for an unknown code."""
    policy = library.load_file_policy(code)  # the fund source is the same in every version: no database read
    return FundedPolicy(policy.code, policy.title, tuple(FundedVersion(v.effective_from) for v in policy.versions))


def reference(entitlement_id: int) -> str:
    return f"entitlement:{entitlement_id}"


def describe(ids: list[str]) -> dict[str, tuple[str, str]]:
    """Ledger references `entitlement:<id>` in words: 政策 · 企业, linked to the run."""
    from django.urls import reverse

    from shuzhuan.policy.models import Entitlement

    titles = {p.code: p.title for p in library.all_policies()}
    rows = (Entitlement.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
            .select_related("enterprise__organisation"))
    return {str(row.pk): (f"{titles.get(row.policy, row.policy)} · {row.enterprise.organisation.name}",
                          reverse("policy:run", kwargs={"policy_run_id": row.run_id})) for row in rows}
