from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from shuzhuan.core.models import AuditEntry
from shuzhuan.funds import services
from shuzhuan.funds.models import Account, Bucket, BudgetLine, Commitment, LedgerTransaction, Posting
from shuzhuan.funds.services import InsufficientFunds, LedgerError
from shuzhuan.funds.tests.conftest import PILOT, TOWN, D

pytestmark = pytest.mark.django_db


def assert_clean():
    result = services.reconcile()
    assert result.clean, result.messages()
    for txn in LedgerTransaction.objects.all():
        assert sum(p.amount for p in txn.postings.all()) == 0


# --- allocate ------------------------------------------------------------------------------------------

def test_allocate_opens_the_line_and_its_accounts(officer):
    txn = services.allocate(PILOT, "central", "direct_sme", D("800000.00"), officer, memo="中央首批")
    line = BudgetLine.objects.get()
    assert (line.programme, line.source.code, line.purpose, line.source.label) == (PILOT, "central", "direct_sme", "中央")
    assert line.name == "demo-pilot · 中央 · 直接补助中小企业"
    assert sorted(a.bucket for a in line.accounts.all()) == ["available", "committed", "paid"]
    funding = Account.objects.get(bucket=Bucket.FUNDING)
    assert funding.balance == D("-800000.00") and funding.line is None
    assert sorted(p.amount for p in txn.postings.all()) == [D("-800000.00"), D("800000.00")]
    assert (txn.kind, txn.by, txn.memo) == ("allocation", officer, "中央首批")
    assert services.balances(PILOT) == {("central", "direct_sme"): {"available": D("800000.00"), "committed": D("0.00"),
                                                                     "paid": D("0.00")}}
    entry = AuditEntry.objects.get(action="funds.allocation")
    assert entry.actor == officer and "800,000.00" in entry.summary
    services.allocate(PILOT, "central", "direct_sme", D("200000.00"), officer)
    assert BudgetLine.objects.count() == 1 and Account.objects.count() == 4
    assert services.balances(PILOT)[("central", "direct_sme")]["available"] == D("1000000.00")
    assert_clean()


@pytest.mark.parametrize(("programme", "source", "purpose", "amount", "words"), [
    ("nope", "central", "direct_sme", D("1.00"), "未知的奖补计划"),
    (PILOT, "town", "direct_sme", D("1.00"), "没有资金来源 'town'"),
    (TOWN, "central", "direct_sme", D("1.00"), "没有资金来源 'central'"),
    (PILOT, "central", "travel", D("1.00"), "未知的用途"),
    (PILOT, "central", "direct_sme", D("0.00"), "金额应大于 0"),
    (PILOT, "central", "direct_sme", D("-5.00"), "金额应大于 0"),
    (PILOT, "central", "direct_sme", D("1.001"), "最多两位小数"),
    (PILOT, "central", "direct_sme", 1.5, "金额应为 Decimal"),
    (PILOT, "central", "direct_sme", True, "金额应为 Decimal"),
    (PILOT, "central", "direct_sme", "100", "金额应为 Decimal"),
    (PILOT, "central", "direct_sme", Decimal("NaN"), "金额应为 Decimal"),
    (PILOT, "central", "direct_sme", D("1000000000000.00"), "金额不能超过"),
])
def test_allocate_refuses_bad_input_in_chinese(officer, programme, source, purpose, amount, words):
    with pytest.raises(LedgerError, match=words):
        services.allocate(programme, source, purpose, amount, officer)
    assert not LedgerTransaction.objects.exists() and not BudgetLine.objects.exists()


def test_allocate_accepts_integers(officer):
    services.allocate(TOWN, "town", "direct_sme", 500, officer)
    assert services.balances(TOWN)[("town", "direct_sme")]["available"] == D("500.00")


def test_purpose_rule_80_20_for_central(officer):
    # Public services first would be 100 % public services.
    with pytest.raises(LedgerError) as caught:
        services.allocate(PILOT, "central", "public_services", D("1.00"), officer)
    assert "不符合资金用途规定" in str(caught.value) and "中央资金" in str(caught.value)
    services.allocate(PILOT, "central", "direct_sme", D("800000.00"), officer)
    services.allocate(PILOT, "central", "public_services", D("200000.00"), officer)  # exactly 20 %
    with pytest.raises(LedgerError) as caught:
        services.allocate(PILOT, "central", "public_services", D("0.01"), officer)
    message = str(caught.value)
    assert "公共服务 200,000.01 元，超过总额 1,000,000.01 元的 20%" in message
    assert "直接补助中小企业 800,000.00 元，不足总额 1,000,000.01 元的 80%" in message
    assert "本次下达未执行" in message
    # Other sources are not bound by the rule (it applies to central only).
    services.allocate(PILOT, "municipal", "public_services", D("50000.00"), officer)
    assert services.allocated(PILOT, "central") == {"direct_sme": D("800000.00"), "public_services": D("200000.00")}
    assert_clean()


def test_adjust_moves_both_ways_and_keeps_the_rule(officer):
    services.allocate(PILOT, "central", "direct_sme", D("800000.00"), officer)
    services.allocate(PILOT, "central", "public_services", D("200000.00"), officer)
    with pytest.raises(LedgerError, match="直接补助中小企业 799,999.00 元，不足"):
        services.adjust(PILOT, "central", "direct_sme", D("-1.00"), officer, memo="核减")
    services.adjust(PILOT, "central", "public_services", D("-100000.00"), officer, memo="核减公共服务")
    services.adjust(PILOT, "central", "direct_sme", D("50.00"), officer, memo="追加")
    assert services.balances(PILOT)[("central", "public_services")]["available"] == D("100000.00")
    assert services.balances(PILOT)[("central", "direct_sme")]["available"] == D("800050.00")
    with pytest.raises(InsufficientFunds, match="可用余额 100,000.00 元，不足 100,000.01 元"):
        services.adjust(PILOT, "central", "public_services", D("-100000.01"), officer, memo="核减")
    with pytest.raises(LedgerError, match="调整须说明原因"):
        services.adjust(PILOT, "central", "direct_sme", D("1.00"), officer, memo=" ")
    with pytest.raises(LedgerError, match="金额不能为 0"):
        services.adjust(PILOT, "central", "direct_sme", D("0"), officer, memo="零")
    assert_clean()


# --- commit, release, pay ----------------------------------------------------------------------------

def test_commit_splits_exactly_and_moves_each_part(funded):
    parts = services.commit(PILOT, D("100000.01"), "project:1", funded)
    assert parts == {"central": D("33333.34"), "provincial": D("33333.34"), "municipal": D("33333.33")}
    assert list(parts) == ["central", "provincial", "municipal"]
    b = services.balances(PILOT)
    assert b[("central", "direct_sme")] == {"available": D("966666.66"), "committed": D("33333.34"), "paid": D("0.00")}
    assert b[("municipal", "direct_sme")]["committed"] == D("33333.33")
    txn = LedgerTransaction.objects.get(kind="commitment")
    assert txn.reference == "project:1" and txn.postings.count() == 6
    assert services.open_commitment("project:1") == parts
    assert Commitment.objects.get().amount == D("100000.01")
    assert AuditEntry.objects.filter(action="funds.commit", target_id=str(txn.pk)).exists()
    assert_clean()


def test_commit_moves_nothing_when_one_line_is_short(officer):
    services.allocate(PILOT, "central", "direct_sme", D("100000.00"), officer)
    services.allocate(PILOT, "provincial", "direct_sme", D("100000.00"), officer)
    services.allocate(PILOT, "municipal", "direct_sme", D("50000.00"), officer)
    with pytest.raises(InsufficientFunds) as caught:
        services.commit(PILOT, D("150000.03"), "project:2", officer)
    assert str(caught.value) == ("预算线「demo-pilot · 市级 · 直接补助中小企业」可用余额 50,000.00 元，"
                                 "不足 50,000.01 元；本次操作未记账")
    assert (caught.value.balance, caught.value.needed) == (D("50000.00"), D("50000.01"))
    assert all(v["committed"] == 0 for v in services.balances(PILOT).values())
    assert services.balances(PILOT)[("central", "direct_sme")]["available"] == D("100000.00")
    assert not Commitment.objects.exists() and LedgerTransaction.objects.count() == 3
    services.commit(PILOT, D("150000.00"), "project:2", officer)  # exactly what is there
    # Municipal is empty; 0.02 still fits, since the split gives the two cents to central and provincial.
    assert services.free_direct_balance(PILOT) == D("0.02")
    assert_clean()


def test_commit_without_a_line_names_it(officer):
    services.allocate(PILOT, "central", "direct_sme", D("100.00"), officer)
    with pytest.raises(InsufficientFunds, match="「demo-pilot · 省级 · 直接补助中小企业」可用余额 0.00 元，不足 10.00 元"):
        services.commit(PILOT, D("30.00"), "project:3", officer)
    # A part of zero needs no line: 0.01 goes to central alone.
    assert services.commit(PILOT, D("0.01"), "project:3", officer) == {
        "central": D("0.01"), "provincial": D("0.00"), "municipal": D("0.00")}
    assert_clean()


def test_commit_public_services_purpose(officer):
    services.allocate(TOWN, "town", "direct_sme", D("1000.00"), officer)
    services.allocate(TOWN, "municipal", "direct_sme", D("1000.00"), officer)
    services.allocate(TOWN, "town", "public_services", D("1000.00"), officer)
    services.allocate(TOWN, "municipal", "public_services", D("1000.00"), officer)
    assert services.commit(TOWN, D("0.03"), "platform:1", officer, purpose="public_services") == {
        "town": D("0.02"), "municipal": D("0.01")}
    assert services.balances(TOWN)[("town", "public_services")]["committed"] == D("0.02")
    assert services.balances(TOWN)[("town", "direct_sme")]["committed"] == D("0.00")
    assert services.free_direct_balance(TOWN) == D("2000.00")
    assert_clean()


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"reference": ""}, "业务编号不能为空"),
    ({"reference": "x" * 65}, "最长 64"),
    ({"amount": D("0")}, "金额应大于 0"),
    ({"purpose": "other"}, "未知的用途"),
    ({"programme": "../etc"}, "未知的奖补计划"),
])
def test_commit_refuses_bad_input(funded, kwargs, words):
    args = {"programme": PILOT, "amount": D("10.00"), "reference": "project:9", "actor": funded, **kwargs}
    with pytest.raises(LedgerError, match=words):
        services.commit(**args)
    assert not Commitment.objects.exists()


def test_one_open_commitment_per_reference(funded):
    services.commit(PILOT, D("300.00"), "project:4", funded)
    with pytest.raises(LedgerError, match="project:4 已有未结的资金承诺"):
        services.commit(PILOT, D("300.00"), "project:4", funded)
    services.release("project:4", funded, reason="退回修改")
    services.commit(PILOT, D("600.00"), "project:4", funded)  # after release it may be committed again
    assert services.open_commitment("project:4") == {"central": D("200.00"), "provincial": D("200.00"),
                                                     "municipal": D("200.00")}
    assert_clean()


def test_database_refuses_a_second_open_commitment(funded):
    services.commit(PILOT, D("300.00"), "project:5", funded)
    first = Commitment.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.create(reference="project:5", programme=PILOT, purpose="direct_sme", amount=D("1.00"),
                                  opened=first.opened)


def test_release_returns_the_parts(funded):
    services.commit(PILOT, D("90000.00"), "project:6", funded)
    parts = services.release("project:6", funded, reason="企业撤回申请")
    assert parts == {"central": D("30000.00"), "provincial": D("30000.00"), "municipal": D("30000.00")}
    assert all(v == {"available": D("1000000.00"), "committed": D("0.00"), "paid": D("0.00")}
               for v in services.balances(PILOT).values())
    txn = LedgerTransaction.objects.get(kind="release")
    assert txn.reference == "project:6" and "企业撤回申请" in txn.memo
    assert Commitment.objects.get().status == "released" and Commitment.objects.get().closed == txn
    assert AuditEntry.objects.get(action="funds.release").reason == "企业撤回申请"
    with pytest.raises(LedgerError, match="project:6 没有未结的资金承诺"):
        services.release("project:6", funded, reason="再次释放")
    with pytest.raises(LedgerError, match="project:6 没有未结的资金承诺"):
        services.pay("project:6", funded)
    assert_clean()


def test_release_needs_a_reason(funded):
    services.commit(PILOT, D("3.00"), "project:7", funded)
    with pytest.raises(LedgerError, match="须说明原因"):
        services.release("project:7", funded, reason="")
    assert services.open_commitment("project:7") is not None


def test_pay_moves_committed_to_paid(funded):
    services.commit(PILOT, D("100000.02"), "project:8", funded)
    services.commit(PILOT, D("30.00"), "project:80", funded)
    parts = services.pay("project:8", funded)
    assert parts == {"central": D("33333.34"), "provincial": D("33333.34"), "municipal": D("33333.34")}
    b = services.balances(PILOT)
    assert b[("central", "direct_sme")] == {"available": D("966656.66"), "committed": D("10.00"), "paid": D("33333.34")}
    assert sum(v["paid"] for v in b.values()) == D("100000.02")
    assert Commitment.objects.get(reference="project:8").status == "paid"
    assert services.open_commitment("project:8") is None
    with pytest.raises(LedgerError, match="没有未结的资金承诺"):
        services.pay("project:8", funded)
    with pytest.raises(LedgerError, match="没有未结的资金承诺"):
        services.pay("project:unknown", funded)
    assert AuditEntry.objects.filter(action="funds.payment").count() == 1
    assert_clean()


def test_actor_may_be_the_system(db):
    services.allocate(PILOT, "central", "direct_sme", D("3.00"), None)
    txn = LedgerTransaction.objects.get()
    assert txn.by is None and txn.by_label == "系统"


# --- reading -------------------------------------------------------------------------------------------

def test_free_direct_balance_is_what_a_commit_can_still_take(officer):
    assert services.free_direct_balance(PILOT) == D("0.00")
    for source, amount in (("central", "1000000.00"), ("provincial", "1000000.00"), ("municipal", "900000.00")):
        services.allocate(PILOT, source, "direct_sme", D(amount), officer)
    # Municipal is the scarcest: 900,000.00 × 3, plus the two cents the split gives central and provincial.
    free = services.free_direct_balance(PILOT)
    assert free == D("2700000.02")
    with pytest.raises(InsufficientFunds):
        services.commit(PILOT, free + D("0.01"), "project:10", officer)
    services.commit(PILOT, free, "project:10", officer)
    # Municipal is empty; two cents still fit (central and provincial keep 99,999.99 each).
    assert services.free_direct_balance(PILOT) == D("0.02")
    # Public-service money is not free money for subsidies.
    services.allocate(PILOT, "municipal", "public_services", D("1000.00"), officer)
    assert services.free_direct_balance(PILOT) == D("0.02")


def test_balances_of_an_unknown_programme(db):
    with pytest.raises(LedgerError, match="未知的奖补计划"):
        services.balances("missing")


def test_reconcile_finds_a_tampered_balance(funded):
    services.commit(PILOT, D("30.00"), "project:11", funded)
    assert services.reconcile().clean
    account = Account.objects.get(line__source__code="central", bucket="available")
    Account.objects.filter(pk=account.pk).update(balance=account.balance + 1)
    result = services.reconcile()
    assert not result.clean
    assert [(d.account_id, d.stored - d.posted) for d in result.differences] == [(account.pk, D("1.00"))]
    assert "记录余额 999,991.00 元，按分录应为 999,990.00 元" in result.messages()[0]


def test_reconcile_finds_unbalanced_transactions_and_orphan_commitments(funded):
    services.commit(PILOT, D("30.00"), "project:12", funded)
    txn = LedgerTransaction.objects.get(kind="commitment")
    posting = txn.postings.filter(amount__gt=0).first()
    Posting.objects.filter(pk=posting.pk).update(amount=posting.amount + 1)
    Commitment.objects.update(status="paid")
    result = services.reconcile()
    assert txn.pk in result.unbalanced
    assert result.commitments and "未结承诺合计" in result.commitments[0]
    assert any("分录合计不为零" in m for m in result.messages())


def test_check_constraint_is_the_last_line_of_defence(funded):
    account = Account.objects.get(line__source__code="central", bucket="available")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=D("-0.01"))
    funding = Account.objects.get(source__code="central", bucket="funding")
    assert funding.balance == D("-1000000.00")  # the outside world's side may be negative


def test_posting_balance_is_checked_by_the_service(funded):
    account = Account.objects.get(line__source__code="central", bucket="available")
    with pytest.raises(LedgerError, match="借贷不平衡"):
        services._post("adjustment", PILOT, funded, [(account, D("5.00"))])
    with pytest.raises(LedgerError, match="没有需要记账的金额"):
        services._post("adjustment", PILOT, funded, [(account, D("5.00")), (account, D("-5.00"))])


def test_a_balance_never_exceeds_what_its_column_holds(officer):
    """Two allocations each within the limit whose sum would overflow the balance column: the second
    is refused in words (no database overflow error, nothing half-posted)."""
    from shuzhuan.core.domain import MAX_YUAN

    services.allocate(PILOT, "central", "direct_sme", MAX_YUAN - D("1.00"), officer)
    before = Posting.objects.count()
    with pytest.raises(LedgerError, match="余额不能超过"):
        services.allocate(PILOT, "central", "direct_sme", D("2.00"), officer)
    assert Posting.objects.count() == before
