from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shuzhuan.core.models import AuditEntry
from shuzhuan.finance import services
from shuzhuan.finance.domain import filing as fd
from shuzhuan.finance.models import BankProfile, ComplianceFlag, Filing
from shuzhuan.registry.models import Enterprise

pytestmark = pytest.mark.django_db
ITEMS = {"digital_systems": Decimal("2000000.00"), "industrial_software": Decimal("500000.00"),
         "production_lines": Decimal("3000000.00"), "supporting_equipment": Decimal("0.00"),
         "civil_works": Decimal("0.00")}


@pytest.fixture
def banks(world):
    return (BankProfile.objects.create(organisation=world.orgs["bank_a"]),
            BankProfile.objects.create(organisation=world.orgs["bank_b"]))


@pytest.fixture
def firm(world):
    ent = world.enterprises["a"]
    ent.founded_on = dt.date(2015, 6, 1)
    ent.save()
    return ent


def submit(world, firm, banks, **kw):
    args = dict(title="灯饰产线数字化改造", approval_number="2401-442000-04-01-123456", provider_name="数智云服务商甲",
                contract_amount=Decimal("6000000.00"), items=dict(ITEMS), loan_demand=Decimal("4000000.00"),
                banks=[banks[0]])
    args.update(kw)
    return services.submit_filing(world.users["ent_a"], firm, **args)


# --- domain -------------------------------------------------------------------------------------

def test_numbers_void_dates_and_years():
    assert fd.filing_number(2025, 123) == "SZD-2025-000123"
    with pytest.raises(ValueError):
        fd.filing_number(2025, 1_000_000)
    assert fd.void_on(dt.date(2025, 8, 31)) == dt.date(2026, 2, 28)
    assert not fd.is_void_due(fd.FILED, dt.date(2025, 1, 15), dt.date(2025, 7, 14))
    assert fd.is_void_due(fd.FILED, dt.date(2025, 1, 15), dt.date(2025, 7, 15))
    assert not fd.is_void_due(fd.LOAN_APPLIED, dt.date(2025, 1, 15), dt.date(2026, 1, 1))
    assert fd.full_years(dt.date(2024, 3, 1), dt.date(2025, 2, 28)) == 0
    assert fd.full_years(dt.date(2024, 3, 1), dt.date(2025, 3, 1)) == 1


def test_civil_works_and_empty_contracts_are_refused():
    assert fd.item_problems({"digital_systems": Decimal("1"), "civil_works": Decimal("0")}) == []
    assert [f for f, _m in fd.item_problems({"digital_systems": Decimal("1"), "civil_works": Decimal("5")})] == ["civil_works"]
    assert [f for f, _m in fd.item_problems({"civil_works": Decimal("0")})] == ["items"]


def test_guards():
    assert fd.refusal("city_approve", fd.SUBMITTED, "city_officer") is not None  # town first
    assert fd.refusal("city_approve", fd.TOWN_APPROVED, "town_officer") is not None
    assert fd.refusal("town_reject", fd.SUBMITTED, "town_officer", "") == "不通过须写明理由"
    assert fd.refusal("town_approve", fd.SUBMITTED, "town_officer") is None


# --- eligibility as policy conditions, from records -----------------------------------------------

def test_eligible_firm_from_records(world, firm):
    check = services.eligibility(firm)
    assert check["eligible"] and check["reasons"] == [] and check["policy"] == "zs-digital-loan-filing"


def test_each_failed_rule_is_explained(world, firm, banks):
    from shuzhuan.programs.domain import workflow as wf
    from shuzhuan.programs.models import Listing, Project
    from shuzhuan.programs.tests.scope_fixtures import make_programme

    firm.founded_on = dt.date.today() - dt.timedelta(days=200)
    firm.save()
    today = dt.date.today()
    for kind in ("dishonesty", "two_high", "major_incident"):
        ComplianceFlag.objects.create(enterprise=firm, kind=kind, listed_on=today - dt.timedelta(days=10))
    ComplianceFlag.objects.create(enterprise=firm, kind="major_tax", listed_on=today - dt.timedelta(days=900),
                                  removed_on=today - dt.timedelta(days=400))  # removed: not counted
    programme = make_programme()
    listing = Listing.objects.create(programme=programme, enterprise=firm, status=wf.LISTING_TOWN_APPROVED,
                                     sub_industry="lighting")
    Project.objects.create(programme=programme, listing=listing, enterprise=firm, title="逾期项目",
                           state=wf.IN_PROGRESS, finish_due=today - dt.timedelta(days=1))
    check = services.eligibility(firm)
    assert not check["eligible"]
    assert check["reasons"] == ["法人在本市经营不满 1 年", "企业列入失信被执行人或重大税收违法失信主体名单",
                                "企业属于高耗能、高排放（两高）企业", "企业近三年发生重大安全、环保或质量事故",
                                "企业在市工信局有逾期未验收的项目，须先完成验收"]
    with pytest.raises(services.FinanceError) as exc:
        submit(world, firm, banks)
    assert [f for f, _ in exc.value.errors] == ["eligibility"] * 5
    assert not Filing.objects.exists()


def test_at_most_two_filings_in_progress(world, firm, banks):
    submit(world, firm, banks)
    submit(world, firm, banks, title="第二个")
    with pytest.raises(services.FinanceError, match="已有 2 个在办"):
        submit(world, firm, banks, title="第三个")
    Filing.objects.filter(title="第二个").update(state=fd.VOID)
    submit(world, firm, banks, title="第三个")


def test_facts_batch_and_single_agree(world, firm):
    from shuzhuan.policy import facts

    ComplianceFlag.objects.create(enterprise=world.enterprises["b"], kind="two_high", listed_on=dt.date(2020, 1, 1))
    keys = ["years_in_city", "on_dishonesty_list", "is_two_high", "major_incident", "has_overdue_project",
            "filings_in_progress"]
    frame = facts.load_batch(keys)
    for row in frame.iter_rows(named=True):
        single = facts.load_single(row["subject"], keys)
        assert {k: row[k] for k in keys} == single
    assert frame.filter(frame["subject"] == world.enterprises["b"].uscc)["is_two_high"].to_list() == [True]


# --- the flow -----------------------------------------------------------------------------------

def test_submit_town_city_number_audited(world, firm, banks, login):
    filing = submit(world, firm, banks)
    assert filing.state == fd.SUBMITTED and filing.investment == Decimal("5500000.00") and filing.number is None
    assert filing.eligibility["eligible"]
    with pytest.raises(services.FinanceError):
        services.transition(world.users["town_b"], filing, "town_approve")  # not its town
    with pytest.raises(services.FinanceError):
        services.transition(world.users["city"], filing, "city_approve")  # town first
    c = login(world.users["town_a"])
    assert c.post(f"/finance/filings/{filing.pk}/town_approve/").status_code == 302
    filing.refresh_from_db()
    assert filing.state == fd.TOWN_APPROVED
    c = login(world.users["city"])
    c.post(f"/finance/filings/{filing.pk}/city_approve/")
    filing.refresh_from_db()
    year = dt.date.today().year
    assert filing.state == fd.FILED and filing.number == f"SZD-{year}-000001" and filing.filed_on == dt.date.today()
    second = submit(world, firm, banks, title="二期")
    services.transition(world.users["town_a"], second, "town_approve")
    second = services.transition(world.users["city"], second, "city_approve")
    assert second.number == f"SZD-{year}-000002"
    actions = list(AuditEntry.objects.filter(target_id=str(filing.pk), target_type="finance.filing")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["finance.filing.submit", "finance.filing.town_approve", "finance.filing.city_approve"]
    assert AuditEntry.objects.filter(organisation_id=firm.pk, action__startswith="finance.filing").count() == 6


def test_reject_needs_a_reason(world, firm, banks, login):
    filing = submit(world, firm, banks)
    c = login(world.users["town_a"])
    c.post(f"/finance/filings/{filing.pk}/town_reject/", {"reason": ""})
    filing.refresh_from_db()
    assert filing.state == fd.SUBMITTED
    c.post(f"/finance/filings/{filing.pk}/town_reject/", {"reason": "合同未列明投资明细"})
    filing.refresh_from_db()
    assert filing.state == fd.REJECTED and filing.reason == "合同未列明投资明细"


def test_enterprise_files_through_the_page_civil_works_refused(world, firm, banks, login):
    c = login(world.users["ent_a"])
    page = c.get("/finance/filings/new/").content.decode()
    assert "符合条件" in page
    form = {"title": "MES 与产线改造", "approval_number": "2401-442000-04-01-000777", "provider_name": "数智云服务商甲",
            "contract_amount": "3000000", "digital_systems": "1000000", "industrial_software": "0",
            "production_lines": "1500000", "supporting_equipment": "0", "civil_works": "400000",
            "loan_demand": "2000000", "banks": [banks[0].pk]}
    response = c.post("/finance/filings/new/", form)
    assert response.status_code == 200 and "土建工程不属于贴息支持范围" in response.content.decode()
    response = c.post("/finance/filings/new/", dict(form, civil_works="0"))
    assert response.status_code == 302
    filing = Filing.objects.get()
    assert filing.items == {"digital_systems": "1000000.00", "production_lines": "1500000.00"}


def test_bank_sees_filed_filings_naming_it_and_their_enterprise(world, firm, banks, login):
    filing = submit(world, firm, banks)
    bank = world.users["bank_a"]
    assert not Filing.objects.visible_to(bank).exists()  # not filed yet
    assert not Enterprise.objects.visible_to(bank).exists()
    services.transition(world.users["town_a"], filing, "town_approve")
    filing = services.transition(world.users["city"], filing, "city_approve")
    assert list(Filing.objects.visible_to(bank)) == [filing]
    assert list(Enterprise.objects.visible_to(bank)) == [firm]
    c = login(bank)
    body = c.get(f"/api/v1/finance/filings/{filing.number}").json()
    assert body["enterprise_uscc"] == firm.uscc and body["investment"] == "5500000.00" and body["state"] == "filed"
    assert c.get("/api/v1/finance/filings/SZD-2025-999999").status_code == 404
    filing.intended_banks.set([banks[1]])
    assert c.get(f"/api/v1/finance/filings/{filing.number}").status_code == 404
    assert not Enterprise.objects.visible_to(bank).exists()


def test_filings_void_after_six_months_without_a_loan_application(world, firm, banks):
    filing = submit(world, firm, banks)
    services.transition(world.users["town_a"], filing, "town_approve")
    services.transition(world.users["city"], filing, "city_approve", today=dt.date(2025, 1, 15))
    assert services.void_stale_filings(dt.date(2025, 7, 14)) == 0
    assert services.void_stale_filings(dt.date(2025, 7, 15)) == 1
    filing.refresh_from_db()
    assert filing.state == fd.VOID and filing.voided_on == dt.date(2025, 7, 15)
    entry = AuditEntry.objects.get(action="finance.filing.void")
    assert entry.organisation_id == firm.pk and entry.actor is None
    assert services.void_stale_filings(dt.date(2025, 12, 1)) == 0  # once


def test_void_task_is_registered():
    from shuzhuan.core import periodic

    assert "finance.void_stale_filings" in {t.name for t in periodic.registered()}
