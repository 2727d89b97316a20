"""Digital-level statistics: level distributions, the pilot's 二级+ target per sub-industry, scenario heatmaps.

Every count comes from each enterprise's official result (`results.official_assessments`, DESIGN
decision 7; a 2022-edition result counts by its level). Two aggregate queries do the work whatever
the number of enterprises: one GROUP BY over the official results (town × class × size × above-scale
× level, with scenario sums) and one over the enterprises in scope (the denominators, unassessed
firms included). Python then only adds up those groups (at most a few thousand rows) into the
tables behind each chart; the page and the XLSX export read the same tables.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.db.models import Count, IntegerField, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext as gt
from django.utils.translation import gettext_lazy as _

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment import rules as assessment_rules
from shuzhuan.assessment.models import Assessment, Kind
from shuzhuan.assessment.results import official_assessments
from shuzhuan.core.forms import BootstrapMixin
from shuzhuan.core.models import Role, Town
from shuzhuan.registry import sub_industries
from shuzhuan.registry.filters import industry_choices
from shuzhuan.registry.models import Enterprise, IndustryClass, SizeClass

# 城市试点: ≥ 90 % of above-scale firms in each chosen sub-industry at 二级+; the values and their
# source live in data/rules/statistics.yaml
TARGET = assessment_rules.rules().target_share
TARGET_LEVEL = assessment_rules.rules().target_level
LEVELS = (0, 1, 2, 3, 4)
LEVEL_NAMES = dict(enumerate(indicator_sets.level_names()))  # the indicator set's names, 0 = below the first level
UNASSESSED = "未评测"
SIZE_ORDER = [s.value for s in SizeClass] + [""]
HEAT_BY = {"division": _("行业大类"), "sub": _("细分行业")}


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def prefix_range(code: str) -> Q:
    """Industry classes starting with `code` as an index-friendly range ('38' → '38' ≤ id < '39')."""
    upper = code[:-1] + chr(ord(code[-1]) + 1)
    return Q(industry_id__gte=code, industry_id__lt=upper)


class StatsFilterForm(BootstrapMixin, forms.Form):
    town = forms.ModelChoiceField(label=_("镇街"), queryset=Town.objects.all(), required=False, empty_label=_("全部镇街"),
                                  to_field_name="short_name")
    industry = forms.ChoiceField(label=_("行业"), required=False)
    sub_industry = forms.ChoiceField(label=_("细分行业"), required=False)
    size = forms.ChoiceField(label=_("规模"), required=False, choices=[("", _("全部规模"))] + list(SizeClass.choices))
    above_scale = forms.ChoiceField(label=_("规上"), required=False,
                                    choices=[("", _("不限")), ("1", _("规模以上")), ("0", _("规模以下"))])
    kind = forms.ChoiceField(label=_("评测类型"), required=False, choices=[("", _("全部类型"))] + list(Kind.choices))
    heat = forms.ChoiceField(label=_("热力图按"), required=False, choices=list(HEAT_BY.items()))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = industry_choices()
        self.fields["sub_industry"].choices = [("", _("全部细分行业"))] + [(s.code, s.name) for s in sub_industries.in_force()]
        if user is not None and getattr(user, "role", None) == Role.TOWN_OFFICER and not user.is_superuser:
            self.fields["town"].queryset = Town.objects.filter(pk=user.town_id)

    def filters(self) -> dict[str, Any]:
        return {k: v for k, v in (self.cleaned_data if self.is_valid() else {}).items() if v not in (None, "")}


@dataclass
class Table:
    """A table behind a chart: what the page shows under the chart and what the export writes."""

    key: str
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    chart: dict[str, Any] = field(default_factory=dict)

    @property
    def chart_height(self) -> int:
        return max(260, 26 * len(self.rows) + 120) if self.key == "heat" else 320


@dataclass
class Statistics:
    filters: dict[str, Any]
    enterprises: int
    assessed: int
    at_target: int  # official level ≥ 二级
    score_sum: Decimal
    answer: str
    cards: list[dict[str, Any]]
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


class _Cell:
    """A group of official results (or of enterprises) with its counts."""

    __slots__ = ("levels", "enterprises", "score_sum")

    def __init__(self) -> None:
        self.levels = [0] * len(LEVELS)
        self.enterprises = 0
        self.score_sum = Decimal(0)

    @property
    def assessed(self) -> int:
        return sum(self.levels)

    @property
    def at_target(self) -> int:
        return sum(self.levels[TARGET_LEVEL:])


def scoped_enterprises(user: Any, filters: dict[str, Any]) -> QuerySet[Enterprise]:
    queryset = Enterprise.objects.visible_to(user)
    if filters.get("town"):
        queryset = queryset.filter(town=filters["town"])
    if filters.get("industry"):
        queryset = queryset.filter(prefix_range(filters["industry"]))
    if filters.get("sub_industry"):
        sub = sub_industries.get(filters["sub_industry"])
        queryset = queryset.filter(industry_id__in=sorted(sub.classes)) if sub else queryset.none()
    if filters.get("size"):
        queryset = queryset.filter(size_class=filters["size"])
    if filters.get("above_scale") in ("0", "1"):
        queryset = queryset.filter(above_scale=filters["above_scale"] == "1")
    return queryset


def official_results(user: Any, filters: dict[str, Any]) -> QuerySet[Assessment]:
    """Each enterprise's official result (of the chosen kind), for the enterprises in scope and filters."""
    if filters.get("kind"):  # the latest final result of that kind: the exact rule on a subset
        results = official_assessments(Assessment.objects.filter(kind=filters["kind"]))
    else:  # each enterprise's official result, kept as a flag so this stays an index scan at scale
        results = Assessment.objects.filter(is_official=True)
    return results.filter(enterprise__in=scoped_enterprises(user, filters))


GROUP = ("town_id", "industry_id", "size_class", "above_scale")


def _scenario_codes() -> list[str]:
    return [s.code for s in indicator_sets.load(indicator_sets.DEFAULT).scenarios]


def _cubes(user: Any, filters: dict[str, Any]) -> tuple[dict[tuple, _Cell], dict[tuple, _Cell]]:
    """(official results, enterprises) grouped by town × class × size × above-scale: two queries."""
    results: dict[tuple, _Cell] = defaultdict(_Cell)
    rows = (
        official_results(user, filters).values_list(*(f"enterprise__{g}" for g in GROUP), "level")
        .annotate(n=Count("pk"), score_sum=Sum("score")).order_by()
    )
    for town, industry, size, above, level, n, score_sum in rows:
        cell = results[(town, industry, size, above)]
        cell.levels[level if level in LEVEL_NAMES else 0] += n
        cell.score_sum += Decimal(str(score_sum or 0))
    enterprises: dict[tuple, _Cell] = defaultdict(_Cell)
    for town, industry, size, above, n in scoped_enterprises(user, filters).values_list(*GROUP).annotate(n=Count("pk")).order_by():
        enterprises[(town, industry, size, above)].enterprises += n
    return results, enterprises


def _scenario_sums(user: Any, filters: dict[str, Any]) -> dict[str, tuple[int, dict[str, int], dict[str, int]]]:
    """Per industry class: official results, and per scenario the sum and count of rated levels (one query)."""
    codes = _scenario_codes()
    values = {code: Cast(KT(f"scenarios__{code}"), IntegerField()) for code in codes}
    aggregates: dict[str, Any] = {"n": Count("pk")}
    for code, value in values.items():
        aggregates[f"sum_{code}"] = Sum(value)
        aggregates[f"n_{code}"] = Count(value)
    out = {}
    for row in official_results(user, filters).values("enterprise__industry_id").annotate(**aggregates).order_by():
        out[row["enterprise__industry_id"] or ""] = (
            row["n"], {c: row[f"sum_{c}"] or 0 for c in codes}, {c: row[f"n_{c}"] or 0 for c in codes},
        )
    return out


def _roll_up(cells: dict[tuple, _Cell], key_of) -> dict[Any, _Cell]:
    """Add up groups under a coarser key (a town, a division, a sub-industry); `key_of` may return a list."""
    out: dict[Any, _Cell] = defaultdict(_Cell)
    for key, cell in cells.items():
        targets = key_of(key)
        for target in targets if isinstance(targets, list) else [targets]:
            into = out[target]
            into.enterprises += cell.enterprises
            into.score_sum += cell.score_sum
            into.levels = [a + b for a, b in zip(into.levels, cell.levels, strict=True)]
    return out


def _merge(results: dict[tuple, _Cell], enterprises: dict[tuple, _Cell], key_of) -> dict[Any, _Cell]:
    rolled = _roll_up(results, key_of)
    for key, cell in _roll_up(enterprises, key_of).items():
        rolled[key].enterprises = cell.enterprises
    return rolled


def _distribution(key: str, title: str, dimension: str, groups: dict[Any, _Cell], order: Iterable[Any], names: dict[Any, str]) -> Table:
    level_labels = {lv: gt(LEVEL_NAMES[lv]) for lv in LEVELS}  # the indicator set's names, translated
    unassessed_label = gt(UNASSESSED)
    header = [dimension, gt("企业数"), gt("已评测"), *level_labels.values(), unassessed_label, gt("二级及以上"),
              gt("占已评测 %"), gt("占企业数 %")]
    table = Table(key, title, header)
    series: dict[str, list[int]] = {name: [] for name in [*level_labels.values(), unassessed_label]}
    categories = []
    for group in order:
        cell = groups.get(group)
        if cell is None or not (cell.enterprises or cell.assessed):
            continue
        unassessed = max(0, cell.enterprises - cell.assessed)
        name = names.get(group, str(group) if group not in (None, "") else gt("未填"))
        table.rows.append([name, cell.enterprises, cell.assessed, *(cell.levels[lv] for lv in LEVELS), unassessed,
                           cell.at_target, percent(cell.at_target, cell.assessed), percent(cell.at_target, cell.enterprises)])
        categories.append(name)
        for lv in LEVELS:
            series[level_labels[lv]].append(cell.levels[lv])
        series[unassessed_label].append(unassessed)
    table.chart = {"type": "stacked", "categories": categories, "series": [{"name": k, "data": v} for k, v in series.items()]}
    return table


def _target_table(results: dict[tuple, _Cell], enterprises: dict[tuple, _Cell], on: dt.date) -> Table:
    subs = sub_industries.in_force(on)

    def key_of(group: tuple) -> list[str]:
        return [s.code for s in subs if group[3] and s.contains(group[1])]  # above-scale firms only

    groups = _merge(results, enterprises, key_of)
    header = [gt("细分行业"), gt("行业代码"), gt("规上企业"), gt("已评测"), gt("二级及以上"), gt("达标率 %（占规上企业）"), gt("目标 %"), gt("距目标还差（家）")]
    table = Table("target", gt("规上企业%(level)s及以上占比（对照试点 %(target)s%% 目标，%(cite)s）") % {"level": LEVEL_NAMES[TARGET_LEVEL], "target": int(TARGET * 100), "cite": assessment_rules.rules().cite('target')}, header)
    names, shares = [], []
    for s in subs:
        cell = groups.get(s.code, _Cell())
        share = percent(cell.at_target, cell.enterprises)
        needed = max(0, int((TARGET * cell.enterprises).to_integral_value(rounding="ROUND_CEILING")) - cell.at_target)
        table.rows.append([s.name, "、".join(s.written), cell.enterprises, cell.assessed, cell.at_target, share,
                           int(TARGET * 100), needed])
        names.append(s.name)
        shares.append(float(share) if share is not None else 0)
    table.chart = {"type": "target", "categories": names, "values": shares, "target": int(TARGET * 100)}
    return table


def _heat_table(sums: dict[str, tuple[int, dict[str, int], dict[str, int]]], by: str, on: dt.date,
                division_names: dict[str, str]) -> Table:
    indicator_set = indicator_sets.load(indicator_sets.DEFAULT)
    scenarios = indicator_set.scenarios
    if by == "sub":
        subs = sub_industries.in_force(on)
        keys = {s.code: [c for c in sums if s.contains(c)] for s in subs}
        order = [(s.code, s.name) for s in subs]
        dimension = gt("细分行业")
    else:
        keys = defaultdict(list)
        for c in sums:
            keys[c[:2]].append(c)
        order = [(code, f"{code} {division_names.get(code, '')}".strip()) for code in sorted(k for k in keys if k)]
        dimension = gt("行业大类")
    header = [dimension, gt("已评测"), *(f"{s.code}{'★' if s.mandatory else ''} {s.name}" for s in scenarios)]
    table = Table("heat", gt("场景平均等级（场景 × %(dimension)s，0 = 未实施）") % {"dimension": dimension}, header)
    data, names = [], []
    for code, name in order:
        classes = keys.get(code) or []
        assessed = sum(sums[c][0] for c in classes)
        if not assessed:
            continue
        y = len(names)
        averages = []
        for x, s in enumerate(scenarios):
            n = sum(sums[c][2][s.code] for c in classes)
            total = sum(sums[c][1][s.code] for c in classes)
            avg = (Decimal(total) / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if n else None
            averages.append(avg)
            if avg is not None:
                data.append([x, y, float(avg)])
        table.rows.append([name, assessed, *averages])
        names.append(name)
    table.chart = {"type": "heat", "x": [f"{s.code}{'★' if s.mandatory else ''}\n{s.name}" for s in scenarios],
                   "y": names, "data": data}
    return table


def _answer(filters: dict[str, Any], enterprises: int, assessed: int, at_target: int) -> str:
    """The filtered question answered in words: '古镇 · 规模以上 · 照明灯饰：N 家中 M 家二级及以上（x %）'."""
    parts = []
    if filters.get("town"):
        parts.append(str(filters["town"]))
    if filters.get("above_scale") in ("0", "1"):
        parts.append(gt("规模以上") if filters["above_scale"] == "1" else gt("规模以下"))
    if filters.get("sub_industry"):
        sub = sub_industries.get(filters["sub_industry"])
        parts.append(sub.name if sub else filters["sub_industry"])
    if filters.get("industry"):
        parts.append(gt("行业 %(code)s") % {"code": filters["industry"]})
    if filters.get("size"):
        parts.append(str(SizeClass(filters["size"]).label) + gt("企业"))
    if filters.get("kind"):
        parts.append(str(Kind(filters["kind"]).label))
    scope = " · ".join(parts) if parts else gt("全部企业")
    share = percent(at_target, enterprises)
    text = gt("%(scope)s：%(enterprises)s 家企业中 %(at_target)s 家达到二级及以上（%(value)s%%）") % {"scope": scope, "enterprises": format(enterprises, ","), "at_target": format(at_target, ","), "value": share if share is not None else '—'}
    text += gt("；已评测 %(assessed)s 家") % {"assessed": format(assessed, ",")}
    if assessed:
        text += gt("，其中二级及以上占 %(percent)s%%") % {"percent": percent(at_target, assessed)}
    if enterprises > assessed:
        text += gt("；未评测 %(value)s 家按未达二级计") % {"value": format(enterprises - assessed, ",")}
    return text + gt("。")


def compute(user: Any, filters: dict[str, Any], on: dt.date | None = None) -> Statistics:
    on = on or dt.date.today()
    results, enterprises = _cubes(user, filters)
    towns = {pk: name for pk, name in Town.objects.values_list("pk", "short_name")}
    town_order = list(towns)
    division_names = dict(IndustryClass.objects.filter(level="division").values_list("code", "name"))

    total = _merge(results, enterprises, lambda g: "all").get("all", _Cell())
    by_town = _merge(results, enterprises, lambda g: g[0])
    industry = filters.get("industry", "")
    width = min(4, len(industry) + 1) if industry else 2
    by_industry = _merge(results, enterprises, lambda g: (g[1] or "")[:width])
    industry_names = division_names if width == 2 else dict(
        IndustryClass.objects.filter(code__startswith=industry, level__in=["group", "class"]).values_list("code", "name")
    )
    by_size = _merge(results, enterprises, lambda g: g[2])
    by_above = _merge(results, enterprises, lambda g: bool(g[3]))
    sizes = dict(SizeClass.choices)
    tables = [
        _distribution("town", gt("等级分布：按镇街"), gt("镇街"), by_town, town_order, towns),
        _distribution("industry", gt("等级分布：按行业"), gt("行业"), by_industry, sorted(k for k in by_industry if k),
                      {k: f"{k} {industry_names.get(k, '')}".strip() for k in by_industry if k}),
        _distribution("size", gt("等级分布：按企业规模"), gt("规模"), by_size, SIZE_ORDER, {k: str(v) for k, v in sizes.items()}),
        _distribution("above", gt("等级分布：规上 / 规下"), gt("规上"), by_above, [True, False], {True: gt("规模以上"), False: gt("规模以下")}),
        _target_table(results, enterprises, on),
        _heat_table(_scenario_sums(user, filters), filters.get("heat") or "division", on, division_names),
    ]
    assessed = total.assessed
    average = (total.score_sum / assessed).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if assessed else None
    cards = [
        {"label": gt("企业数"), "value": f"{total.enterprises:,}", "unit": gt("家")},
        {"label": gt("已评测（官方结果）"), "value": f"{assessed:,}", "unit": gt("家"),
         "note": gt("覆盖 %(value)s%%") % {"value": percent(assessed, total.enterprises) or 0}},
        {"label": gt("二级及以上"), "value": f"{total.at_target:,}", "unit": gt("家"),
         "note": gt("占已评测 %(value)s%%") % {"value": percent(total.at_target, assessed) or 0}},
        {"label": gt("平均总分"), "value": str(average) if average is not None else "—", "unit": gt("分"),
         "note": gt("已评测企业，2022 年版结果按其总分计")},
    ]
    return Statistics(filters, total.enterprises, assessed, total.at_target, total.score_sum,
                      _answer(filters, total.enterprises, assessed, total.at_target), cards, tables)


def export_xlsx(stats: Statistics) -> bytes:
    """Every table behind the page's charts, one sheet each, plus the filters and the answer."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from shuzhuan.core.xlsx import append_row

    workbook = Workbook()
    summary = workbook.active
    summary.title = gt("概况")
    append_row(summary, [gt("数字化水平统计（各企业官方评测结果：有现场评定取最新现场评定，否则取最新自评/导入）")])
    append_row(summary, [stats.answer])
    for card in stats.cards:
        append_row(summary, [card["label"], card["value"], card["unit"], card.get("note", "")])
    for table in stats.tables:
        sheet = workbook.create_sheet(table.title[:31].replace("/", "／").replace(":", "："))
        append_row(sheet, table.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            append_row(sheet, row)
        sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
