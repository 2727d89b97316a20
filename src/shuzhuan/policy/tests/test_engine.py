"""One rule, two engines, one answer: every shipped policy and a synthetic one that uses every
construct, on random populations (hypothesis), give the same eligibility and amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuzhuan.policy import facts, library
from shuzhuan.policy.domain.engine import (
    amount_from_cents,
    apply_quota,
    evaluate,
    evaluate_frame,
    snapshot_hash,
    to_frame,
)
from shuzhuan.policy.domain.model import FactSpec, base_name
from shuzhuan.policy.domain.parse import PolicyFileError, parse_policy
from shuzhuan.policy.domain.testing import run_policy

ON = dt.date(2024, 5, 1)
CATALOG = {
    "amount": FactSpec("amount", "money", "金额"), "level": FactSpec("level", "int", "等级"),
    "town": FactSpec("town", "str", "镇街"), "flag": FactSpec("flag", "bool", "标志"),
    "ratio": FactSpec("ratio", "decimal", "比例"), "revenue": FactSpec("revenue", "money", "营业收入", by_year=True),
    "already": FactSpec("already", "money", "已获"),
}
SYNTHETIC = {
    "code": "synthetic", "title": "合成政策", "subject": "enterprise", "source": {"document": "测试"},
    "versions": [{
        "effective_from": "2024-01-01",
        "parameters": {
            "share": {"value": "0.35", "source": {"document": "测试"}, "unit": "%"},
            "cap_by_level": {"value": {2: "300000.00", 3: "600000.00", 4: "1000000.00"}, "source": {"document": "测试"}},
            "towns": {"value": ["古镇", "小榄", "火炬"], "source": {"document": "测试"}},
            "lifetime": {"value": "900000.00", "source": {"document": "测试"}},
        },
        "conditions": [{"label": "等级", "when": "level >= 2 and level in p.cap_by_level"},
                       {"label": "镇街或标志", "when": "town in p.towns or (flag and not level == 4)"}],
        "amount": "amount * p.share + revenue[2023] * 0.5 if flag and ratio <= 1.5 else amount * 0.333 - 1.5",
        "caps": [{"kind": "per_item", "limit": "p.cap_by_level[level]"},
                 {"kind": "lifetime", "limit": "p.lifetime", "already": "already", "when": "not flag or level > 2"},
                 {"kind": "other", "limit": "max(amount * 0.9, 100.005)"}],
        "difference": {"label": "差额", "subtract": "min(already, 50000.00)"},
        "rounding": {"quantum": "0.01", "mode": "half_up"},
    }],
}

money = st.decimals(min_value=0, max_value=Decimal("5000000.00"), places=2, allow_nan=False, allow_infinity=False)
ratio = st.decimals(min_value=0, max_value=Decimal("2.0000"), places=4, allow_nan=False, allow_infinity=False)
synthetic_subject = st.fixed_dictionaries({
    "amount": money, "level": st.integers(0, 5), "town": st.sampled_from(["古镇", "小榄", "火炬", "南头"]),
    "flag": st.booleans(), "ratio": ratio, "revenue[2023]": money | st.none(), "already": money,
})


@pytest.fixture(scope="module")
def synthetic():
    return parse_policy(SYNTHETIC, CATALOG).versions[0]


def _parity(version, population: list[dict], catalog) -> None:
    rows = {f"S{i:05d}": subject for i, subject in enumerate(population)}
    batch = evaluate_frame(version, ON, to_frame(rows, version.facts, catalog))
    for row in batch.iter_rows(named=True):
        facts_of = rows[row["subject"]]
        try:
            single = evaluate(version, ON, facts_of, catalog, trace=False)
        except Exception as exc:  # a missing lookup key: batch must not pretend to know
            assert row["amount_cents"] is None or not row["eligible"], exc
            continue
        traced = evaluate(version, ON, facts_of, catalog, trace=True)
        assert (single.eligible, single.amount) == (traced.eligible, traced.amount)
        assert row["eligible"] == single.eligible, (facts_of, single)
        assert amount_from_cents(row["amount_cents"]) == single.amount, (facts_of, single)
        assert row["undecided"] == single.undecided


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(synthetic_subject, min_size=1, max_size=40))
def test_synthetic_policy_parity(synthetic, population) -> None:
    _parity(synthetic, population, CATALOG)


def _package_subject(version, catalog):
    strategies = {}
    for key in version.facts:
        kind = catalog[base_name(key)].type
        strategies[key] = {"money": st.decimals(min_value=0, max_value=Decimal("40000000.00"), places=2,
                                                allow_nan=False, allow_infinity=False),
                           "int": st.integers(0, 400), "bool": st.booleans(),
                           "str": st.text(max_size=3), "decimal": ratio}[kind]
    return st.fixed_dictionaries(strategies)


@pytest.mark.parametrize("code", library.codes())
def test_package_policy_parity(code: str) -> None:
    facts.register_given()
    catalog = facts.catalog()
    version = library.load(code).version_on(ON)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(_package_subject(version, catalog), min_size=1, max_size=30))
    def check(population):
        _parity(version, population, catalog)

    check()


@pytest.mark.parametrize("code", library.codes())
def test_policy_yaml_cases(code: str) -> None:
    """The hand-computed cases in every policy file (`shuzhuan policy-test` runs the same)."""
    facts.register_given()
    policy = library.load(code)
    assert policy.tests, f"{code} has no test cases"
    failures = [(name, problems) for name, problems in run_policy(policy, facts.catalog()) if problems]
    assert not failures


def test_a_wrong_expectation_fails(synthetic) -> None:
    facts.register_given()
    policy = library.load("zs-retrofit")
    case = policy.tests[0]
    wrong = type(case)(**{**case.__dict__, "amount": case.amount + Decimal("0.01")})
    wrong_policy = type(policy)(**{**policy.__dict__, "tests": (wrong,)})
    assert run_policy(wrong_policy, facts.catalog())[0][1]


def test_trace_names_conditions_facts_and_sources(synthetic) -> None:
    facts_of = {"amount": Decimal("100000.00"), "level": 3, "town": "古镇", "flag": True, "ratio": Decimal("0.5000"),
                "revenue[2023]": Decimal("200000.00"), "already": Decimal("0.00")}
    outcome = evaluate(synthetic, ON, facts_of, CATALOG)
    text = "\n".join(outcome.explanation)
    assert "条件「等级」：等级 3 ≥ 2 且 等级 3 属于 cap_by_level → 满足" in text
    assert "事实「营业收入（2023 年）」= 200,000.00 元" in text
    assert "参数「share」= 35%（依据：测试，未核实）" in text
    # 100000 × 0.35 + 200000 × 0.5 = 135000, then the third cap max(100000 × 0.9, 100.005) = 90000
    assert outcome.amount == Decimal("90000.00")
    assert "超过 → 金额 90,000.00 元" in text


def test_missing_fact_is_undecided_in_both_engines(synthetic) -> None:
    facts_of = {"amount": Decimal("1.00"), "level": 3, "town": "古镇", "flag": True, "ratio": Decimal("0"),
                "revenue[2023]": None, "already": Decimal("0")}
    outcome = evaluate(synthetic, ON, facts_of, CATALOG)
    assert outcome.missing == ("revenue[2023]",) and not outcome.eligible
    assert "缺少数据：营业收入（2023 年）" in outcome.reasons


def test_quota_ranks_within_the_limit() -> None:
    facts.register_given()
    catalog = facts.catalog()
    version = library.load("zs-benchmark-platform").version_on(ON)  # 5 a year
    rows = {f"P{i}": {"approved_amount": Decimal("100.00") * i, "is_cluster_platform": False, "expert_score": i % 7}
            for i in range(12)}
    frame = to_frame(rows, (*version.facts, *version.quota_facts), catalog)
    results = apply_quota(version, ON, frame, evaluate_frame(version, ON, frame))
    chosen = sorted(results.filter("within_quota")["subject"].to_list())
    # P0 is not eligible (nothing approved); scores i % 7, ties by id: 6 P6, 5 P5, 4 P11 P4, 3 P10 (P3 is sixth)
    assert chosen == ["P10", "P11", "P4", "P5", "P6"]


def test_snapshot_hash_is_stable_and_sensitive() -> None:
    a = {"approved_amount": Decimal("1.00"), "level": 3}
    assert snapshot_hash(a) == snapshot_hash(dict(reversed(list(a.items()))))
    assert snapshot_hash(a) != snapshot_hash({**a, "level": 4})


@pytest.mark.parametrize(("patch", "key"), [
    ({"amount": "amount / 2"}, "versions.0.amount"),
    ({"conditions": [{"label": "x", "when": "amount"}]}, "versions.0.conditions.0.when"),
    ({"parameters": {"share": {"value": 0.35, "source": {"document": "x"}}}}, "versions.0.parameters.share.value"),
    ({"parameters": {"other": {"value": "1"}}}, "versions.0.parameters.other.source"),
    ({"effective_until": "2023-01-01"}, "versions.0.effective_until"),
    ({"amount": "amount * 10000000"}, "versions.0.amount"),  # could overflow 64-bit fixed point
    ({"caps": [{"limit": "amount * ratio * 1000"}]}, "versions.0.caps.0.limit"),
])
def test_bad_files_name_the_key(patch: dict, key: str) -> None:
    data = {**SYNTHETIC, "versions": [{**SYNTHETIC["versions"][0], **patch}]}
    with pytest.raises(PolicyFileError) as err:
        parse_policy(data, CATALOG, origin="x.yaml")
    assert err.value.key == key


def test_quota_places_already_taken_this_year() -> None:
    facts.register_given()
    catalog = facts.catalog()
    version = library.load("zs-benchmark-platform").version_on(ON)  # 5 a year
    rows = {f"P{i}": {"approved_amount": Decimal("100.00"), "is_cluster_platform": False, "expert_score": i}
            for i in range(1, 9)}
    frame = to_frame(rows, (*version.facts, *version.quota_facts), catalog)
    results = apply_quota(version, ON, frame, evaluate_frame(version, ON, frame), settled=["P8", "P1"])
    # two places taken by P8 and P1 (awarded earlier this year); three left for the best of the rest
    assert sorted(results.filter("within_quota")["subject"].to_list()) == ["P5", "P6", "P7"]


@pytest.mark.parametrize("code", library.codes())
def test_parity_at_the_facts_limits(code: str) -> None:
    """Every fact at its largest allowed value: the batch engine's Int64 holds it (checked at load)."""
    from shuzhuan.policy.domain.values import MAX_AMOUNT, MAX_INT

    facts.register_given()
    catalog = facts.catalog()
    version = library.load(code).version_on(ON)
    top = {"money": MAX_AMOUNT, "int": MAX_INT, "bool": True, "decimal": Decimal("100000000"), "str": "x"}
    low = {"money": Decimal("0.00"), "int": 0, "bool": False, "decimal": Decimal("0"), "str": ""}
    population = [{k: top[catalog[base_name(k)].type] for k in version.facts},
                  {k: low[catalog[base_name(k)].type] for k in version.facts}]
    _parity(version, population, catalog)
