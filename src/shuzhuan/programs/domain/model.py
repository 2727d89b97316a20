"""A programme's rules as values: dated versions of parameters, each citing its source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from shuzhuan.assessment.indicator_sets import level_names
from shuzhuan.core.money import PurposeRule

# Digital levels from the assessment (0 = below 一级): the names are the indicator set's (its data
# file is the one definition; read once per process, no Django).
LEVEL_NAMES: tuple[str, ...] = level_names()
MAX_LEVEL = len(LEVEL_NAMES) - 1
LEVEL_RANGE = f"等级应为 0–{MAX_LEVEL} 的整数（0 表示{LEVEL_NAMES[0]}）"


@dataclass(frozen=True)
class Citation:
    """Where a value comes from. `verified` is false unless the value was checked against the text."""

    document: str
    verified: bool
    article: str | None = None
    quote: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class EligibilityRules:
    """Who may join the programme and its deadlines (part of a version, so dated and cited)."""

    sub_industries: tuple[str, ...]  # registry/data/sub_industries.yaml codes
    sme_only: bool = True
    exclude_little_giants: bool = True  # firms already funded as 专精特新“小巨人”
    exclude_earlier_pilots: bool = True
    finish_months: int = 3  # from listing to the end of the upgrade
    acceptance_months: int = 3  # from completion to the acceptance application


@dataclass(frozen=True)
class FundSource:
    code: str
    label: str
    weight: Decimal


@dataclass(frozen=True)
class CostItem:
    """One line of a project's investment: a cost category and its amount in yuan."""

    category: str
    amount: Decimal


@dataclass(frozen=True)
class ProgrammeVersion:
    """The rules in force on the days [effective_from, effective_until); `None` = open-ended."""

    programme: str
    effective_from: dt.date
    effective_until: dt.date | None
    min_level: int
    eligible_categories: Mapping[str, str]
    excluded_categories: Mapping[str, str]
    fund_sources: tuple[FundSource, ...]
    citations: Mapping[str, Citation]
    cap_by_level: Mapping[int, Decimal]
    cap_per_project: Decimal | None = None
    share_of_eligible_investment: Decimal | None = None
    purpose_rule: PurposeRule | None = None
    eligibility: EligibilityRules | None = None

    @property
    def label(self) -> str:
        """A version is named by the day it took effect: old results name the rules they used."""
        return self.effective_from.isoformat()

    @property
    def period(self) -> str:
        until = f"{self.effective_until.isoformat()}（不含）" if self.effective_until else "长期"
        return f"{self.effective_from.isoformat()} 至 {until}"

    def covers(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_until is None or on < self.effective_until)

    @property
    def shares(self) -> dict[str, Decimal]:
        """Funding weights by source code, in the programme's order (the order `split` honours)."""
        return {source.code: source.weight for source in self.fund_sources}

    def category_label(self, code: str) -> str:
        return self.eligible_categories.get(code) or self.excluded_categories.get(code) or code


@dataclass(frozen=True)
class Example:
    """A worked case shipped with the rules (`tests:` in the file): given a request, expect a result."""

    name: str
    on: dt.date
    level: int
    items: tuple[CostItem, ...]
    amount: Decimal
    available: Decimal | None = None
    by_source: Mapping[str, Decimal] | None = None
    explanation: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Controls:
    """Separation of duties (四眼原则) for the programme's money, as data.

    `batch_distinct_officers`: the officer who drafts a payout batch, the one who reviews it and the
    one who approves it are three different people. `second_officer_above`: a commitment (city
    approval) above this amount in yuan needs a second officer, not the first, to confirm it;
    `None` = never. `officer_roles`: the role codes that may act as any of these officers.
    """

    batch_distinct_officers: bool = False
    second_officer_above: Decimal | None = None
    officer_roles: tuple[str, ...] = ("city_officer", "admin")
    citation: Citation | None = None


@dataclass(frozen=True)
class Programme:
    code: str
    title: str
    source: Citation
    versions: tuple[ProgrammeVersion, ...]
    examples: tuple[Example, ...] = ()
    description: str = ""
    controls: Controls = Controls()

    def version_on(self, on: dt.date) -> ProgrammeVersion | None:
        return next((v for v in self.versions if v.covers(on)), None)

    @property
    def periods(self) -> str:
        return "；".join(v.period for v in self.versions)
