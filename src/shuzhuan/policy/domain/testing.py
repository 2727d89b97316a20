"""Running a policy's YAML test cases (`tests:` in the file) on both engines."""

from __future__ import annotations

from shuzhuan.policy.domain.engine import amount_from_cents, evaluate_frame, evaluate_policy, to_frame
from shuzhuan.policy.domain.expr import EvaluationError
from shuzhuan.policy.domain.model import FactCatalog, Policy, TestCase


def run_case(policy: Policy, case: TestCase, catalog: FactCatalog) -> list[str]:
    """Differences between a hand-computed case and what the engines compute ([] = it holds)."""
    version = policy.version_on(case.on)
    unknown = sorted(set(case.facts) - set(version.facts)) if version else []
    problems = [f"facts: {', '.join(unknown)} 未被此版本使用"] if unknown else []
    try:
        outcome = evaluate_policy(policy, case.on, case.facts, catalog)
    except EvaluationError as exc:
        return [*problems, f"无法计算：{exc}"]
    if case.eligible is not None and outcome.eligible != case.eligible:
        problems.append(f"eligible: expected {case.eligible}, got {outcome.eligible}")
    if case.amount is not None and outcome.amount != case.amount:
        problems.append(f"amount: expected {case.amount}, got {outcome.amount}")
    if case.reasons is not None and list(outcome.reasons) != list(case.reasons):
        problems.append(f"reasons: expected {list(case.reasons)}, got {list(outcome.reasons)}")
    for text in case.explanation_includes:
        if not any(text in line for line in outcome.explanation):
            problems.append(f"explanation: no line contains {text!r}; got {list(outcome.explanation)}")
    if version is None:
        return problems
    frame = to_frame({"case": dict(case.facts)}, version.facts, catalog)
    batch = evaluate_frame(version, case.on, frame).row(0, named=True)
    if batch["eligible"] != outcome.eligible or amount_from_cents(batch["amount_cents"]) != outcome.amount:
        problems.append(f"batch engine disagrees: eligible {batch['eligible']}, amount "
                        f"{amount_from_cents(batch['amount_cents'])}")
    return problems


def run_policy(policy: Policy, catalog: FactCatalog) -> list[tuple[str, list[str]]]:
    return [(case.name, run_case(policy, case, catalog)) for case in policy.tests]
