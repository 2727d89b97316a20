"""Programme files (parsed YAML) → `Programme`, refusing anything doubtful with the file and key path.

Refused: unknown or missing keys, amounts or shares that do not parse (floats included: write
"0.50", not 0.50), negative caps, overlapping versions, a level cap table with gaps, a parameter
without a citation. Key paths are dot-separated with 0-based list positions:
`versions.0.parameters.cap_by_level.3`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any, NoReturn, TypeVar

from shuzhuan.core.money import MoneyError, PurposeRule, parse_fraction, parse_money, parse_weight
from shuzhuan.programs.domain.errors import ProgrammeFileError
from shuzhuan.programs.domain.model import (
    MAX_LEVEL,
    Citation,
    Controls,
    CostItem,
    EligibilityRules,
    Example,
    FundSource,
    Programme,
    ProgrammeVersion,
)

PROGRAMME_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
PARAMETERS_REQUIRED = ("min_level", "eligible_categories", "fund_sources")
PARAMETERS_OPTIONAL = ("excluded_categories", "cap_by_level", "cap_per_project", "share_of_eligible_investment",
                       "purpose_rule", "eligibility")
ELIGIBILITY_FIELDS = ("sub_industries", "sme_only", "exclude_little_giants", "exclude_earlier_pilots", "finish_months",
                      "acceptance_months")
PERIOD = "period"  # the citation for a version's dates

T = TypeVar("T")


def _join(key: str, part: str | int) -> str:
    return f"{key}.{part}" if key else str(part)


class _Reader:
    """Typed reads of a parsed file; every failure names the file and the key path."""

    def __init__(self, origin: str):
        self.origin = origin

    def fail(self, key: str, message: str) -> NoReturn:
        raise ProgrammeFileError(self.origin, key, message)

    def struct(self, key: str, value: Any, required: Iterable[str], optional: Iterable[str] = ()) -> dict[str, Any]:
        """A mapping with a fixed set of keys."""
        if not isinstance(value, dict):
            self.fail(key, "应为映射（key: value）")
        required, allowed = set(required), set(required) | set(optional)
        for name in value:
            if not isinstance(name, str):
                self.fail(key, f"键 {name!r} 应为文字（YAML 会把不加引号的 on/off/yes/no 读成真假值）")
            if name not in allowed:
                self.fail(_join(key, name), f"未知的键（可用：{'、'.join(sorted(allowed))}）")
        for name in sorted(required - set(value)):
            self.fail(_join(key, name), "缺少必填项")
        return value

    def items(self, key: str, value: Any, *, allow_empty: bool = False) -> list[Any]:
        if not isinstance(value, list):
            self.fail(key, "应为列表")
        if not value and not allow_empty:
            self.fail(key, "不能为空")
        return value

    def text(self, key: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "应为非空文字")
        return value

    def code(self, key: str, value: Any, pattern: re.Pattern[str] = _CODE) -> str:
        if not isinstance(value, str) or not pattern.match(value):
            self.fail(key, f"代码 {value!r} 应匹配 {pattern.pattern}")
        return value

    def flag(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            self.fail(key, "应为 true 或 false")
        return value

    def date(self, key: str, value: Any) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(key, f"{value!r} 不是日期（应为 YYYY-MM-DD）")

    def level(self, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LEVEL:
            self.fail(key, f"等级应为 0–{MAX_LEVEL} 的整数")
        return value

    def parsed(self, key: str, value: Any, parse: Callable[[object], T]) -> T:
        try:
            return parse(value)
        except MoneyError as exc:
            self.fail(key, f"{value!r}：{exc}")

    def money(self, key: str, value: Any) -> Decimal:
        return self.parsed(key, value, parse_money)

    def labels(self, key: str, value: Any) -> dict[str, str]:
        """code → label, e.g. {software: 软件}."""
        if not isinstance(value, dict) or not value:
            self.fail(key, "应为非空映射（代码: 名称）")
        return {self.code(key, code): self.text(_join(key, code), label) for code, label in value.items()}

    def citation(self, key: str, value: Any) -> Citation:
        data = self.struct(key, value, ("document", "verified"), ("article", "quote", "note"))
        optional = {name: self.text(_join(key, name), data[name]) for name in ("article", "quote", "note") if name in data}
        return Citation(document=self.text(_join(key, "document"), data["document"]),
                        verified=self.flag(_join(key, "verified"), data["verified"]), **optional)


def parse_programme(data: Any, origin: str) -> Programme:
    """A programme from a parsed file; `origin` (the file name) prefixes every error."""
    reader = _Reader(origin)
    top = reader.struct("", data, ("code", "title", "source", "versions"),
                        ("description", "tests", "controls"))
    code = reader.code("code", top["code"], PROGRAMME_CODE)
    versions = tuple(_version(reader, f"versions.{i}", code, v)
                     for i, v in enumerate(reader.items("versions", top["versions"])))
    for i, (earlier, later) in enumerate(zip(versions, versions[1:], strict=False)):
        if earlier.effective_until is None or earlier.effective_until > later.effective_from:
            reader.fail(f"versions.{i + 1}.effective_from",
                        f"版本按生效日期排列且不能重叠：上一版本有效期为 {earlier.period}")
    programme = Programme(
        code=code,
        title=reader.text("title", top["title"]),
        source=reader.citation("source", top["source"]),
        versions=versions,
        description=reader.text("description", top["description"]) if "description" in top else "",
        controls=_controls(reader, "controls", top["controls"]) if "controls" in top else Controls(),
    )
    examples = tuple(_example(reader, f"tests.{i}", programme, e)
                     for i, e in enumerate(reader.items("tests", top.get("tests", []), allow_empty=True)))
    return replace(programme, examples=examples)


OFFICER_ROLES = ("city_officer", "admin", "town_officer")


def _controls(reader: _Reader, key: str, value: Any) -> Controls:
    """Four-eyes rules; the citation is required (say so when the source is silent and it is a setting)."""
    data = reader.struct(key, value, ("citation",), ("batch_distinct_officers", "second_officer_above", "officer_roles"))
    roles = tuple(reader.code(f"{key}.officer_roles.{i}", r)
                  for i, r in enumerate(reader.items(f"{key}.officer_roles", data.get("officer_roles", list(Controls.officer_roles)))))
    for i, role in enumerate(roles):
        if role not in OFFICER_ROLES:
            reader.fail(f"{key}.officer_roles.{i}", f"应为 {'、'.join(OFFICER_ROLES)} 之一")
    above = data.get("second_officer_above")
    return Controls(
        batch_distinct_officers=reader.flag(f"{key}.batch_distinct_officers", data.get("batch_distinct_officers", False)),
        second_officer_above=reader.money(f"{key}.second_officer_above", above) if above is not None else None,
        officer_roles=roles,
        citation=reader.citation(f"{key}.citation", data["citation"]),
    )


def _version(reader: _Reader, key: str, code: str, value: Any) -> ProgrammeVersion:
    data = reader.struct(key, value, ("effective_from", "parameters", "citations"), ("effective_until",))
    start = reader.date(f"{key}.effective_from", data["effective_from"])
    end = reader.date(f"{key}.effective_until", data["effective_until"]) if data.get("effective_until") else None
    if end is not None and end <= start:
        reader.fail(f"{key}.effective_until", "应晚于 effective_from（有效期为半开区间 [起, 止)）")
    pkey = f"{key}.parameters"
    params = reader.struct(pkey, data["parameters"], PARAMETERS_REQUIRED, PARAMETERS_OPTIONAL)
    min_level = reader.level(f"{pkey}.min_level", params["min_level"])
    eligible = reader.labels(f"{pkey}.eligible_categories", params["eligible_categories"])
    excluded = (reader.labels(f"{pkey}.excluded_categories", params["excluded_categories"])
                if "excluded_categories" in params else {})
    for category in excluded.keys() & eligible.keys():
        reader.fail(f"{pkey}.excluded_categories.{category}", "不能既可补助又不可补助")
    sources = _fund_sources(reader, f"{pkey}.fund_sources", params["fund_sources"])
    optional: dict[str, Any] = {"cap_by_level": {}}
    if "cap_by_level" in params:
        optional["cap_by_level"] = _level_caps(reader, f"{pkey}.cap_by_level", params["cap_by_level"], min_level)
    if "cap_per_project" in params:
        optional["cap_per_project"] = reader.money(f"{pkey}.cap_per_project", params["cap_per_project"])
    if "share_of_eligible_investment" in params:
        optional["share_of_eligible_investment"] = reader.parsed(
            f"{pkey}.share_of_eligible_investment", params["share_of_eligible_investment"], parse_fraction)
    if "purpose_rule" in params:
        optional["purpose_rule"] = _purpose_rule(reader, f"{pkey}.purpose_rule", params["purpose_rule"], sources)
    if "eligibility" in params:
        optional["eligibility"] = _eligibility(reader, f"{pkey}.eligibility", params["eligibility"])
    cites = reader.struct(f"{key}.citations", data["citations"], (PERIOD, *params))
    return ProgrammeVersion(
        programme=code,
        effective_from=start,
        effective_until=end,
        min_level=min_level,
        eligible_categories=eligible,
        excluded_categories=excluded,
        fund_sources=sources,
        citations={name: reader.citation(f"{key}.citations.{name}", c) for name, c in cites.items()},
        **optional,
    )


def _level_caps(reader: _Reader, key: str, value: Any, min_level: int) -> dict[int, Decimal]:
    """A cap for every level from `min_level` up: a missing level would be uncapped by accident."""
    if not isinstance(value, dict):
        reader.fail(key, "应为映射（等级: 上限金额）")
    caps = {reader.level(key, level): reader.money(_join(key, level), cap) for level, cap in value.items()}
    wanted = set(range(min_level, MAX_LEVEL + 1))
    if set(caps) != wanted:
        reader.fail(key, f"应恰好列出等级 {min_level}–{MAX_LEVEL} 的上限（min_level 为 {min_level}），"
                         f"实际为 {sorted(caps)}")
    return dict(sorted(caps.items()))


def _fund_sources(reader: _Reader, key: str, value: Any) -> tuple[FundSource, ...]:
    sources: list[FundSource] = []
    for i, item in enumerate(reader.items(key, value)):
        ikey = f"{key}.{i}"
        data = reader.struct(ikey, item, ("code", "label", "weight"))
        source = FundSource(code=reader.code(f"{ikey}.code", data["code"]),
                            label=reader.text(f"{ikey}.label", data["label"]),
                            weight=reader.parsed(f"{ikey}.weight", data["weight"], parse_weight))
        if any(s.code == source.code for s in sources):
            reader.fail(f"{ikey}.code", f"资金来源 {source.code} 重复")
        sources.append(source)
    return tuple(sources)


def _eligibility(reader: _Reader, key: str, value: Any) -> EligibilityRules:
    data = reader.struct(key, value, ("sub_industries",), ELIGIBILITY_FIELDS[1:])
    subs = tuple(reader.code(_join(key, "sub_industries"), code)
                 for code in reader.items(_join(key, "sub_industries"), data["sub_industries"]))
    months: dict[str, int] = {}
    for name in ("finish_months", "acceptance_months"):
        if name in data:
            months[name] = data[name]
            if isinstance(data[name], bool) or not isinstance(data[name], int) or not 1 <= data[name] <= 60:
                reader.fail(_join(key, name), "应为 1–60 的整数（月）")
    flags = {name: reader.flag(_join(key, name), data[name])
             for name in ("sme_only", "exclude_little_giants", "exclude_earlier_pilots") if name in data}
    defaults = EligibilityRules(sub_industries=subs)
    return EligibilityRules(
        sub_industries=subs,
        sme_only=flags.get("sme_only", defaults.sme_only),
        exclude_little_giants=flags.get("exclude_little_giants", defaults.exclude_little_giants),
        exclude_earlier_pilots=flags.get("exclude_earlier_pilots", defaults.exclude_earlier_pilots),
        finish_months=months.get("finish_months", defaults.finish_months),
        acceptance_months=months.get("acceptance_months", defaults.acceptance_months),
    )


def _purpose_rule(reader: _Reader, key: str, value: Any, sources: tuple[FundSource, ...]) -> PurposeRule:
    data = reader.struct(key, value, ("direct_sme_min", "public_services_max", "applies_to"))
    codes = {s.code for s in sources}
    applies_to = tuple(reader.code(f"{key}.applies_to.{i}", c)
                       for i, c in enumerate(reader.items(f"{key}.applies_to", data["applies_to"])))
    for i, code in enumerate(applies_to):
        if code not in codes:
            reader.fail(f"{key}.applies_to.{i}", f"不是本版本的资金来源（可用：{'、'.join(sorted(codes))}）")
    return PurposeRule(
        direct_sme_min=reader.parsed(f"{key}.direct_sme_min", data["direct_sme_min"], parse_fraction),
        public_services_max=reader.parsed(f"{key}.public_services_max", data["public_services_max"], parse_fraction),
        applies_to=applies_to,
    )


def _example(reader: _Reader, key: str, programme: Programme, value: Any) -> Example:
    data = reader.struct(key, value, ("name", "given", "expect"), ("date",))
    on = reader.date(f"{key}.date", data["date"]) if "date" in data else programme.versions[0].effective_from
    if programme.version_on(on) is None:
        reader.fail(f"{key}.date", f"{on} 不在任何版本的有效期内（{programme.periods}）")
    given = reader.struct(f"{key}.given", data["given"], ("level", "items"), ("available",))
    items = []
    for i, item in enumerate(reader.items(f"{key}.given.items", given["items"], allow_empty=True)):
        ikey = f"{key}.given.items.{i}"
        fields = reader.struct(ikey, item, ("category", "amount"))
        items.append(CostItem(category=reader.text(f"{ikey}.category", fields["category"]),
                              amount=reader.money(f"{ikey}.amount", fields["amount"])))
    expect = reader.struct(f"{key}.expect", data["expect"], ("amount",), ("by_source", "explanation"))
    by_source = expect.get("by_source")
    if by_source is not None:
        if not isinstance(by_source, dict):
            reader.fail(f"{key}.expect.by_source", "应为映射（来源: 金额）")
        by_source = {reader.code(f"{key}.expect.by_source", s): reader.money(f"{key}.expect.by_source.{s}", a)
                     for s, a in by_source.items()}
    explanation = expect.get("explanation")
    if explanation is not None:
        explanation = tuple(reader.text(f"{key}.expect.explanation.{i}", line)
                            for i, line in enumerate(reader.items(f"{key}.expect.explanation", explanation)))
    return Example(
        name=reader.text(f"{key}.name", data["name"]),
        on=on,
        level=reader.level(f"{key}.given.level", given["level"]),
        items=tuple(items),
        available=reader.money(f"{key}.given.available", given["available"]) if "available" in given else None,
        amount=reader.money(f"{key}.expect.amount", expect["amount"]),
        by_source=by_source,
        explanation=explanation,
    )
