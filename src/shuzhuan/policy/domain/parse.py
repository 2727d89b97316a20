"""A policy file (parsed YAML) → a checked `Policy`; every problem names the file and the key path.

A later version lists only what changes: parameters are merged over the previous version's, and
conditions, amount, caps, difference, quota and rounding are inherited unless given.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from shuzhuan.policy.domain.expr import BOOL, Compiled, ExprError, Num, Type, compile_expr, value_type
from shuzhuan.policy.domain.model import (
    SUBJECT_KINDS,
    Cap,
    Citation,
    Condition,
    Difference,
    FactCatalog,
    Parameter,
    Policy,
    PolicyVersion,
    Quota,
    Rounding,
    TestCase,
    base_name,
)
from shuzhuan.policy.domain.values import parse_value

POLICY_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
NUMBER = Num(0)
CAP_KINDS = {"per_item": "单项上限", "per_subject_year": "每年上限", "lifetime": "累计上限", "other": "上限"}


class PolicyFileError(ValueError):
    def __init__(self, origin: str, key: str, message: str):
        self.origin, self.key, self.message = origin, key, message
        super().__init__(f"{origin}: {key or '(文件)'}: {message}")


class _Reader:
    def __init__(self, origin: str, catalog: FactCatalog):
        self.origin, self.catalog = origin, catalog

    def fail(self, key: str, message: str) -> PolicyFileError:
        return PolicyFileError(self.origin, key, message)

    def mapping(self, value: Any, key: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(key, "应为映射（键: 值）")
        return value

    def text(self, data: Mapping[str, Any], name: str, key: str, required: bool = True) -> str:
        value = data.get(name)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key}.{name}".lstrip("."), "应为非空文本")
        return value.strip()

    def date(self, value: Any, key: str) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(key, "应为日期 YYYY-MM-DD")

    def citation(self, value: Any, key: str) -> Citation:
        data = self.mapping(value, key)
        verified = data.get("verified", False)
        if not isinstance(verified, bool):
            raise self.fail(f"{key}.verified", "应为 true 或 false")
        article = data.get("article")
        return Citation(self.text(data, "document", key), verified, str(article) if article is not None else None,
                        data.get("note"))

    def param_value(self, value: Any, key: str) -> Any:
        if isinstance(value, float):
            raise self.fail(key, '小数请写成字符串（如 "0.20"），避免二进制误差')
        if isinstance(value, str) and _NUMBER.match(value):
            return Decimal(value)
        if isinstance(value, list):
            return [self.param_value(v, f"{key}.{i}") for i, v in enumerate(value)]
        if isinstance(value, Mapping):
            return {k: self.param_value(v, f"{key}.{k}") for k, v in value.items()}
        if isinstance(value, (bool, int, str, Decimal)):
            return value
        raise self.fail(key, f"不支持的参数值 {value!r}")

    def parameters(self, value: Any, key: str, inherited: Mapping[str, Parameter]) -> dict[str, Parameter]:
        result = dict(inherited)
        for name, raw in self.mapping(value or {}, key).items():
            where = f"{key}.{name}"
            if not isinstance(name, str) or not name.isidentifier():
                raise self.fail(where, "参数名应为标识符")
            data = self.mapping(raw, where)
            if "value" not in data:
                raise self.fail(f"{where}.value", "缺少参数值")
            previous = inherited.get(name)
            if "source" not in data and previous is None:
                raise self.fail(f"{where}.source", "每个参数都要注明来源（document、article、verified）")
            parameter = Parameter(
                name=name, value=self.param_value(data["value"], f"{where}.value"),
                label=str(data.get("label") or (previous.label if previous else name)),
                source=self.citation(data["source"], f"{where}.source") if "source" in data else previous.source,  # type: ignore[union-attr]
                unit=str(data.get("unit", previous.unit if previous else "")),
            )
            try:
                value_type(parameter.value)
            except ExprError as exc:
                raise self.fail(f"{where}.value", str(exc)) from None
            result[name] = parameter
        return result

    def expr(self, source: Any, key: str, params: Mapping[str, Parameter], year: int,
             want: Type | None) -> Compiled:
        if isinstance(source, bool) or not isinstance(source, (str, int)):
            raise self.fail(key, "应为表达式文本")
        types = {name: (spec.value_type, spec.by_year) for name, spec in self.catalog.items()}
        try:
            return compile_expr(str(source), types, {n: p.value for n, p in params.items()}, year, want)
        except ExprError as exc:
            raise self.fail(key, f"{exc}：{source}") from None


def parse_policy(data: Any, catalog: FactCatalog, origin: str = "") -> Policy:
    r = _Reader(origin, catalog)
    data = r.mapping(data, "")
    code = r.text(data, "code", "")
    if not POLICY_CODE.match(code):
        raise r.fail("code", "应为小写字母、数字和连字符")
    subject = data.get("subject", "enterprise")
    if subject not in SUBJECT_KINDS:
        raise r.fail("subject", f"应为 {', '.join(SUBJECT_KINDS)} 之一")
    exclusive = data.get("exclusive_with", [])
    if not isinstance(exclusive, list) or not all(isinstance(c, str) for c in exclusive):
        raise r.fail("exclusive_with", "应为政策代码列表")
    raw_versions = data.get("versions")
    if not isinstance(raw_versions, list) or not raw_versions:
        raise r.fail("versions", "至少需要一个版本")
    versions: list[PolicyVersion] = []
    previous: PolicyVersion | None = None
    raw_previous: Mapping[str, Any] = {}
    for index, raw in enumerate(raw_versions):
        key = f"versions.{index}"
        raw = r.mapping(raw, key)
        merged = {**{k: v for k, v in raw_previous.items() if k not in ("parameters", "effective_from",
                                                                         "effective_until", "note")}, **raw}
        version = _version(r, code, merged, key, previous.parameters if previous else {})
        if previous and version.effective_from < previous.effective_from:
            raise r.fail(f"{key}.effective_from", "版本应按生效日期先后排列")
        if previous and (previous.effective_until is None or previous.effective_until > version.effective_from):
            raise r.fail(f"{key}.effective_from", "与上一版本的有效期重叠")
        versions.append(version)
        previous, raw_previous = version, merged
    policy = Policy(
        code=code, title=r.text(data, "title", ""), summary=r.text(data, "summary", "", required=False),
        subject=subject, source=r.citation(data.get("source"), "source"), versions=tuple(versions),
        exclusive_with=tuple(exclusive), origin=origin,
    )
    tests = tuple(_test(r, policy, raw, f"tests.{i}") for i, raw in enumerate(data.get("tests") or []))
    return Policy(**{**policy.__dict__, "tests": tests})


def _version(r: _Reader, code: str, raw: Mapping[str, Any], key: str,
             inherited: Mapping[str, Parameter]) -> PolicyVersion:
    start = r.date(raw.get("effective_from"), f"{key}.effective_from")
    until = raw.get("effective_until")
    end = r.date(until, f"{key}.effective_until") if until is not None else None
    if end is not None and end <= start:
        raise r.fail(f"{key}.effective_until", "应晚于 effective_from")
    params = r.parameters(raw.get("parameters"), f"{key}.parameters", inherited)
    year = start.year

    def expr(source: Any, where: str, want: Type | None = NUMBER) -> Compiled:
        return r.expr(source, f"{key}.{where}", params, year, want)

    conditions = []
    for i, item in enumerate(raw.get("conditions") or []):
        item = r.mapping(item, f"{key}.conditions.{i}")
        conditions.append(Condition(r.text(item, "label", f"{key}.conditions.{i}"),
                                    expr(item.get("when"), f"conditions.{i}.when", BOOL),
                                    str(item.get("unmet") or "")))
    if "amount" not in raw:
        raise r.fail(f"{key}.amount", "缺少金额公式")
    amount = expr(raw["amount"], "amount")
    caps = []
    for i, item in enumerate(raw.get("caps") or []):
        where = f"caps.{i}"
        item = r.mapping(item, f"{key}.{where}")
        kind = item.get("kind", "per_item")
        if kind not in CAP_KINDS:
            raise r.fail(f"{key}.{where}.kind", f"应为 {', '.join(CAP_KINDS)} 之一")
        caps.append(Cap(kind, str(item.get("label") or CAP_KINDS[kind]), expr(item.get("limit"), f"{where}.limit"),
                        expr(item["when"], f"{where}.when", BOOL) if item.get("when") is not None else None,
                        expr(item["already"], f"{where}.already") if item.get("already") is not None else None))
    difference = None
    if raw.get("difference") is not None:
        item = r.mapping(raw["difference"], f"{key}.difference")
        difference = Difference(r.text(item, "label", f"{key}.difference"),
                                expr(item.get("subtract"), "difference.subtract"))
    quota = None
    if raw.get("quota") is not None:
        item = r.mapping(raw["quota"], f"{key}.quota")
        per_year = item.get("per_year")
        if isinstance(per_year, bool) or not isinstance(per_year, int) or per_year < 1:
            raise r.fail(f"{key}.quota.per_year", "应为正整数")
        order = item.get("order", "desc")
        if order not in ("asc", "desc"):
            raise r.fail(f"{key}.quota.order", "应为 asc 或 desc")
        quota = Quota(per_year, expr(item.get("rank_by"), "quota.rank_by"), order == "desc", str(item.get("label") or ""))
    rounding = Rounding()
    if raw.get("rounding") is not None:
        item = r.mapping(raw["rounding"], f"{key}.rounding")
        quantum = Decimal(str(item.get("quantum", "0.01")))
        mode = item.get("mode", "down")
        if quantum not in (Decimal("0.01"), Decimal("1")) or mode not in ("down", "half_up"):
            raise r.fail(f"{key}.rounding", 'quantum 应为 "0.01" 或 "1"，mode 应为 down 或 half_up')
        rounding = Rounding(quantum, mode)
    version = PolicyVersion(code, start, end, params, tuple(conditions), amount, tuple(caps), difference, rounding,
                            quota, str(raw.get("note") or ""))
    from shuzhuan.policy.domain.engine import check_version

    try:
        check_version(version)
    except ExprError as exc:
        raise r.fail(f"{key}.amount", str(exc)) from None
    return version


def _test(r: _Reader, policy: Policy, raw: Any, key: str) -> TestCase:
    raw = r.mapping(raw, key)
    on = r.date(raw.get("date", policy.versions[0].effective_from), f"{key}.date")
    facts = dict(r.mapping(raw.get("facts") or {}, f"{key}.facts"))
    for name, value in facts.items():
        spec = r.catalog.get(base_name(str(name)))
        if spec is None:
            raise r.fail(f"{key}.facts.{name}", "未知的事实")
        try:
            facts[name] = parse_value(spec, value)
        except ValueError as exc:
            raise r.fail(f"{key}.facts.{name}", str(exc)) from None
    expect = r.mapping(raw.get("expect"), f"{key}.expect")
    eligible = expect.get("eligible")
    if eligible is not None and not isinstance(eligible, bool):
        raise r.fail(f"{key}.expect.eligible", "应为 true 或 false")
    amount = expect.get("amount")
    if amount is not None:
        if not isinstance(amount, str) or not re.match(r"^\d+\.\d{2}$", amount):
            raise r.fail(f"{key}.expect.amount", '应为两位小数的字符串，如 "600000.00"')
        amount = Decimal(amount)
    if eligible is None and amount is None:
        raise r.fail(f"{key}.expect", "至少写出 eligible 或 amount")
    reasons = expect.get("reasons")
    return TestCase(r.text(raw, "name", key), on, facts, eligible, amount,
                    tuple(reasons) if reasons is not None else None, tuple(expect.get("explanation_includes") or ()))
