"""The pure state machine: transitions, guards and their reasons, dates, eligibility."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from shuzhuan.programs.domain import workflow as wf

TODAY = dt.date(2025, 6, 1)


def passing(**changes) -> wf.Facts:
    """Facts under which the payout guards all pass."""
    base = wf.Facts(
        state=wf.IN_BATCH, today=TODAY, actor_role=wf.CITY, listing_listed=True, provider_in_pool=True, item_count=1,
        has_contract_file=True, milestones_total=1, post_assessment_found=True, post_assessment_signed=True,
        post_assessment_onsite=True, post_assessment_kind_post=True, post_assessment_after_completion=True,
        level_achieved=3, required_level=2, subsidy_amount=Decimal("300000.00"), in_batch=True, batch_approved=True,
        batch_status=wf.BATCH_PAID, investment_total=Decimal("800000.00"), contract_amount=Decimal("900000.00"),
        expert_assigned=True, expert_review_submitted=True)
    return replace(base, **changes)


def test_every_transition_names_known_states_and_roles():
    for t in wf.TRANSITIONS.values():
        assert t.sources <= set(wf.STATES), t.action
        assert t.target in wf.STATES or t.action == "resubmit"
        assert t.roles <= {wf.ENTERPRISE, wf.PROVIDER, wf.TOWN, wf.CITY, wf.ADMIN, wf.EXPERT}
    assert not any(wf.TRANSITIONS[a].sources & wf.FINAL for a in wf.TRANSITIONS if a != "remove_from_batch")


def test_pay_passes_only_with_a_passing_post_assessment():
    assert wf.refusal("pay", passing()) is None
    cases = {
        "post_assessment_found": (False, "未找到"), "post_assessment_onsite": (False, "现场评定确定"),
        "post_assessment_kind_post": (False, "不是改造后"), "post_assessment_signed": (False, "尚未签署"),
        "post_assessment_after_completion": (False, "早于改造完成"), "post_assessment_rater_is_provider": (True, "利益冲突"),
        "level_achieved": (1, "未达到二级"), "batch_status": (wf.BATCH_APPROVED, "随批次一并兑现"),
        "contract_amount": (Decimal("799999.99"), "超过合同金额"),
    }
    for name, (value, words) in cases.items():
        reason = wf.refusal("pay", passing(**{name: value}))
        assert reason and words in reason, (name, reason)
    assert "未评定" in wf.refusal("pay", passing(level_achieved=None))


def test_state_and_role_are_checked_first():
    assert "当前状态" in wf.refusal("pay", passing(state=wf.CITY_APPROVED))
    assert "当前角色" in wf.refusal("pay", passing(actor_role=wf.TOWN))
    assert wf.refusal("nonsense", passing()) == "未知的操作"


def test_returns_need_a_reason_and_resume_at_the_editable_step():
    f = passing(state=wf.TOWN_REVIEWED, actor_role=wf.TOWN, actor_in_town=True)
    assert "原因" in wf.refusal("return", f)
    assert wf.refusal("return", replace(f, reason="补正")) is None
    assert "企业所在镇街" in wf.refusal("return", replace(f, reason="x", actor_in_town=False))
    assert wf.return_target(wf.CONTRACT_FILED) == wf.DRAFT
    assert wf.return_target(wf.EXPERT_REVIEWED) == wf.COMPLETED
    assert wf.target_of("resubmit", replace(f, returned_to=wf.DRAFT)) == wf.CONTRACT_FILED
    assert wf.target_of("resubmit", replace(f, returned_to=wf.COMPLETED)) == wf.ACCEPTANCE_APPLIED
    assert wf.editable(wf.RETURNED, wf.COMPLETED) == "acceptance"
    assert wf.editable(wf.IN_PROGRESS) is None


def test_documents_checked_for_presence_and_type():
    everything = {k.code: k.types[0] for k in wf.DOCUMENT_KINDS}
    assert wf.document_problems(everything) == []
    assert wf.document_problems({}) == [f"缺少「{k.label}」" for k in wf.DOCUMENT_KINDS]
    wrong = wf.document_problems({**everything, "contract": wf.DOCX})
    assert wrong == ["「合同」应为 PDF 文件，实际为 DOCX"]
    f = passing(state=wf.COMPLETED, actor_role=wf.ENTERPRISE, actor_is_enterprise=True, document_problems=tuple(wrong))
    assert wf.refusal("apply_acceptance", f).startswith("验收材料不齐全")


@pytest.mark.parametrize(("day", "months", "expected"), [
    (dt.date(2025, 11, 30), 3, dt.date(2026, 2, 28)),
    (dt.date(2024, 11, 30), 3, dt.date(2025, 2, 28)),
    (dt.date(2023, 11, 30), 3, dt.date(2024, 2, 29)),
    (dt.date(2025, 1, 15), 12, dt.date(2026, 1, 15)),
    (dt.date(2025, 3, 31), 1, dt.date(2025, 4, 30)),
])
def test_add_months(day, months, expected):
    assert wf.add_months(day, months) == expected


def test_deadlines():
    due = dt.date(2025, 5, 1)
    assert "已过 31 天" in wf.overdue(wf.IN_PROGRESS, TODAY, due, None)
    assert wf.overdue(wf.ACCEPTANCE_APPLIED, TODAY, due, due) is None
    assert wf.overdue(wf.COMPLETED, TODAY, None, due).startswith("验收申请期限")
    assert "还剩 5 天" in wf.due_soon(wf.IN_PROGRESS, TODAY, dt.date(2025, 6, 6), None)
    f = passing(state=wf.CONTRACT_FILED, actor_role=wf.ENTERPRISE, actor_is_enterprise=True, finish_due=due)
    assert "改造完成期限" in wf.refusal("start", f)
    f = passing(state=wf.COMPLETED, actor_role=wf.ENTERPRISE, actor_is_enterprise=True, acceptance_due=due)
    assert "验收申请期限" in wf.refusal("apply_acceptance", f)


def test_eligibility_explains_every_check():
    targets = {"lighting": ("照明灯饰", frozenset({"3872"}))}
    ok = wf.eligibility(wf.Firm("small", "3872", False), targets)
    assert ok.eligible and ok.sub_industry == "lighting" and len(ok.explanation) == 4
    bad = wf.eligibility(wf.Firm("large", "3351", True, "2023 试点"), targets)
    assert not bad.eligible and len(bad.reasons) == 4
    assert wf.eligibility(wf.Firm("large", "3872", False), targets, sme_only=False).eligible


def test_batches_advance_in_order_and_need_the_export_before_paying():
    assert wf.batch_refusal(wf.BATCH_DRAFT, 0, False) == "批次中没有项目"
    assert wf.batch_refusal(wf.BATCH_DRAFT, 2, False) is None
    assert "导出拨付清单" in wf.batch_refusal(wf.BATCH_APPROVED, 2, False)
    assert wf.batch_refusal(wf.BATCH_APPROVED, 2, True) is None
    assert "已兑现" in wf.batch_refusal(wf.BATCH_PAID, 2, True)
