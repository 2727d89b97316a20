"""The facts policies read, registered by the apps that own the data (in their `AppConfig.ready`).

A fact has a spec (name, type, label, description, by year or not) and, when records hold it, two
loaders that must agree (a parity test checks it on a built population):

- `batch(subjects, period) -> polars.DataFrame` with columns `subject` (USCC) and `value`, one query
  for all subjects (`subjects` None = every enterprise); money in cents, as the batch engine reads it;
- `single(subject, period) -> value | None`: one subject, money as `Decimal`.

Facts without loaders are *given* facts (an application's approved amount, an expert score): they
come with a request, never from records. The policy app imports no app above it: registry,
assessment, programmes and finance add their facts here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from shuzhuan.policy.domain.engine import FRAME_DTYPES
from shuzhuan.policy.domain.model import FACT_TYPES, FactSpec, base_name, period_of

BatchLoader = Callable[[Sequence[str] | None, int | None], pl.DataFrame]
SingleLoader = Callable[[str, int | None], Any]


@dataclass(frozen=True)
class FactDefinition:
    spec: FactSpec
    batch: BatchLoader | None = None
    single: SingleLoader | None = None
    owner: str = ""

    @property
    def from_records(self) -> bool:
        return self.batch is not None and self.single is not None


_REGISTRY: dict[str, FactDefinition] = {}


def register(name: str, type: str, label: str, description: str = "", *, by_year: bool = False,
             subject: str = "enterprise", batch: BatchLoader | None = None, single: SingleLoader | None = None,
             owner: str = "") -> FactDefinition:
    """Add a fact; registering the same name again with the same spec replaces the loaders."""
    if type not in FACT_TYPES:
        raise ValueError(f"unknown fact type {type}")
    if (batch is None) != (single is None):
        raise ValueError(f"fact {name}: give both loaders or none")
    spec = FactSpec(name, type, label, description, by_year, subject)
    existing = _REGISTRY.get(name)
    if existing is not None and batch is None and existing.batch is not None and existing.spec == spec:
        return existing  # a given-only registration never drops loaders registered for the same fact
    if existing is not None and existing.spec != spec:
        raise ValueError(f"fact {name} registered twice with different specs ({existing.owner}, {owner})")
    definition = FactDefinition(spec, batch, single, owner)
    _REGISTRY[name] = definition
    return definition


def definitions() -> dict[str, FactDefinition]:
    return dict(_REGISTRY)


def catalog() -> dict[str, FactSpec]:
    return {name: d.spec for name, d in _REGISTRY.items()}


def get(name: str) -> FactDefinition | None:
    return _REGISTRY.get(base_name(name))


def load_single(subject: str, keys: Iterable[str]) -> dict[str, Any]:
    """Facts of one subject from records; a given-only fact or no data is None (missing)."""
    values: dict[str, Any] = {}
    for key in keys:
        definition = get(key)
        values[key] = definition.single(subject, period_of(key)) if definition and definition.single else None
    return values


def load_batch(keys: Iterable[str], subjects: Sequence[str] | None = None) -> pl.DataFrame:
    """One frame, one row per subject, one column per fact key (one query per fact)."""
    frame: pl.DataFrame | None = None
    given: list[str] = []
    for key in keys:
        definition = get(key)
        if definition is None or definition.batch is None:
            given.append(key)
            continue
        part = definition.batch(subjects, period_of(key)).rename({"value": key})
        part = part.with_columns(pl.col(key).cast(FRAME_DTYPES[definition.spec.type]))
        frame = part if frame is None else frame.join(part, on="subject", how="full", coalesce=True)
    if frame is None:
        frame = pl.DataFrame({"subject": list(subjects or [])}, schema={"subject": pl.Utf8})
    if subjects is not None:
        frame = pl.DataFrame({"subject": list(subjects)}, schema={"subject": pl.Utf8}).join(frame, on="subject", how="left")
    for key in given:
        definition = get(key)
        dtype = FRAME_DTYPES[definition.spec.type] if definition else pl.Utf8
        frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(key))
    return frame


def register_given() -> None:
    """The facts an application or a programme supplies (no records hold them): the package's inputs."""
    money = [
        ("equipment_investment", "设备投资", "项目设备购置投入（元）"),
        ("software_investment", "软件投资", "项目软件（含工业软件、云服务）投入（元）"),
        ("approved_amount", "核定金额", "专家评审核定的项目支持金额或投资额（元）"),
        ("workshop_award_received", "已获示范车间奖补", "同一企业此前已获的示范车间奖补金额（元）"),
        ("investment", "项目投资", "项目实际投资额（元）"),
        ("eligible_investment", "可补助投资", "扣除不可补助费用后的投资额（元）"),
        ("available", "计划剩余可用资金", "计划直补资金的可用余额（元）"),
        ("awarded_before", "此前已获奖补", "本政策此前已给予该主体的金额合计（元）"),
        ("served_revenue", "服务企业营业收入", "集群试点服务企业的营业收入合计（元）"),
        ("served_tax", "服务企业纳税", "集群试点服务企业的纳税合计（元）"),
    ]
    ints = [
        ("workshops_awarded_before", "已获示范车间数", "该企业此前获评的示范车间数量"),
        ("years_awarded_before", "已获奖励年数", "此前已获平台服务能力奖励的年数"),
        ("level", "改造后等级", "改造后经现场评定的数字化水平等级（0 表示未达到一级）"),
        ("firms_served", "服务企业数", "集群试点服务的企业数量"),
        ("expert_score", "专家评分", "专家评审得分（百分制，整数）"),
        ("pilots_led_this_year", "本年牵头试点数", "牵头单位本年度已牵头的集群试点数量"),
    ]
    bools = [
        ("is_benchmark_platform", "标杆平台", "是否为已认定的标杆平台"),
        ("is_cluster_platform", "集群服务平台", "是否为产业集群服务平台（而非综合标杆平台）"),
    ]
    for name, label, description in money:
        register(name, "money", label, description, owner="policy")
    for name, label, description in ints:
        register(name, "int", label, description, owner="policy")
    for name, label, description in bools:
        register(name, "bool", label, description, owner="policy")
