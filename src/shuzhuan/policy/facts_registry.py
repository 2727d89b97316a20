"""Facts the enterprise registry holds, registered by the policy app (registry sits below policy, so
it cannot register them itself; policy may read it). One query per fact for all subjects."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from shuzhuan.policy import facts
from shuzhuan.policy.domain.engine import FRAME_DTYPES, frame_value

USCC = "organisation__uscc"


def _enterprises(subjects: Sequence[str] | None):
    from shuzhuan.registry.models import Enterprise

    queryset = Enterprise.objects.all()
    return queryset if subjects is None else queryset.filter(organisation__uscc__in=list(subjects))


def _frame(pairs: list[tuple[str, Any]], kind: str) -> pl.DataFrame:
    return pl.DataFrame({"subject": [p[0] for p in pairs], "value": [frame_value(kind, p[1]) for p in pairs]},
                        schema={"subject": pl.Utf8, "value": FRAME_DTYPES[kind]})


def _profile(field: str, kind: str, blank_is_missing: bool = False):
    def clean(value: Any) -> Any:
        return None if blank_is_missing and value == "" else value

    def batch(subjects: Sequence[str] | None, period: int | None) -> pl.DataFrame:
        rows = _enterprises(subjects).values_list(USCC, field)
        return _frame([(uscc, clean(value)) for uscc, value in rows], kind)

    def single(subject: str, period: int | None) -> Any:
        row = _enterprises([subject]).values_list(field, flat=True).first()
        return clean(row)

    return batch, single


def _yearly(field: str, kind: str):
    def batch(subjects: Sequence[str] | None, period: int | None) -> pl.DataFrame:
        from shuzhuan.registry.models import EnterpriseYear

        rows = EnterpriseYear.objects.filter(year=period)
        if subjects is not None:
            rows = rows.filter(enterprise__organisation__uscc__in=list(subjects))
        return _frame(list(rows.values_list("enterprise__organisation__uscc", field)), kind)

    def single(subject: str, period: int | None) -> Decimal | int | None:
        from shuzhuan.registry.models import EnterpriseYear

        return (EnterpriseYear.objects.filter(year=period, enterprise__organisation__uscc=subject)
                .values_list(field, flat=True).first())

    return batch, single


PROFILE = [
    ("town", "town__code", "str", "所属镇街", "镇街代码", False),
    ("industry", "industry_id", "str", "行业代码", "国民经济行业分类（GB/T 4754）小类代码", False),
    ("size_class", "size_class", "str", "企业规模", "large / medium / small / micro，按最新年度划型", True),
    ("above_scale", "above_scale", "bool", "规模以上", "是否规模以上工业企业", False),
    ("high_tech", "high_tech", "bool", "高新技术企业", "是否高新技术企业", False),
    ("chain_leader", "chain_leader", "bool", "链主企业", "是否链主企业", False),
    ("on_cloud", "on_cloud", "bool", "上云用平台", "是否已上云用平台", False),
    ("zjtx_tier", "zjtx_tier", "str", "专精特新", "专精特新层级（空 = 无）", True),
]
YEARLY = [
    ("revenue", "revenue", "money", "营业收入", "该年度营业收入（元；代主营业务收入）"),
    ("employees", "employees", "int", "从业人数", "该年度从业人数"),
    ("tax", "tax", "money", "纳税总额", "该年度纳税总额（元）"),
]


def register() -> None:
    for name, field, kind, label, description, blank_missing in PROFILE:
        batch, single = _profile(field, kind, blank_missing)
        facts.register(name, kind, label, description, batch=batch, single=single, owner="registry")
    for name, field, kind, label, description in YEARLY:
        batch, single = _yearly(field, kind)
        facts.register(name, kind, label, description, by_year=True, batch=batch, single=single, owner="registry")
