"""Money and workflow controls (issue 10 items 1–3): items within the contract, one service for every
transition, four-eyes on batches and large commitments, the payee's account on the payment list."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from shuzhuan.programs import services
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import InvestmentItem, PayoutBatch
from shuzhuan.programs.tests import factories
from shuzhuan.programs.tests.factories import city_officers, drive, fund, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(world):
    programme = make_programme()
    fund(programme)
    return programme


# --- 1. investment items add up to no more than the contract -----------------------------------------

def test_items_may_not_add_up_to_more_than_the_contract(world, programme):
    ent = world.users["ent_a"]
    project = drive(world, wf.DRAFT)
    services.update_contract(ent, project, contract_amount=Decimal("410000.00"))
    services.add_item(ent, project, "software", Decimal("400000.00"))
    with pytest.raises(services.ServiceError, match="超过合同金额"):
        services.add_item(ent, project, "cloud", Decimal("10000.01"))
    services.add_item(ent, project, "cloud", Decimal("10000.00"))  # exactly the contract is fine
    with pytest.raises(services.ServiceError, match="超过合同金额"):
        services.update_contract(ent, project, contract_amount=Decimal("300000.00"))
    project.refresh_from_db()
    assert project.contract_amount == Decimal("410000.00") and project.items.count() == 2


def test_filing_needs_a_contract_amount_covering_the_items():
    import datetime as dt

    ready = wf.Facts(state=wf.DRAFT, today=dt.date(2025, 6, 1), actor_role=wf.ENTERPRISE, actor_is_enterprise=True,
                     listing_listed=True, provider_in_pool=True, item_count=1, has_contract_file=True,
                     investment_total=Decimal("500000.00"), contract_amount=Decimal("500000.00"))
    from dataclasses import replace

    assert wf.refusal("file_contract", ready) is None
    assert wf.refusal("file_contract", replace(ready, contract_amount=None)) == "请先填写合同金额"
    assert "超过合同金额" in wf.refusal("file_contract", replace(ready, contract_amount=Decimal("499999.99")))


def test_approval_and_payout_recheck_items_against_the_contract(world, programme, login):
    project = drive(world, wf.EXPERT_REVIEWED)
    # a record written before the rule (or behind the services' back): items above the contract
    InvestmentItem.objects.create(project=project, category="software", amount=Decimal("200000.00"))
    with pytest.raises(services.ServiceError, match="超过合同金额"):
        services.transition(world.users["city"], project, "city_approve")
    project.refresh_from_db()
    assert project.state == wf.EXPERT_REVIEWED and project.subsidy_amount is None
    response = login(world.users["city"]).post(f"/api/v1/programs/projects/{project.pk}/transition",
                                               json.dumps({"action": "city_approve"}), content_type="application/json")
    assert response.status_code == 409 and "超过合同金额" in response.json()["message"]


def test_payout_rechecks_items_against_the_contract(world, programme):
    project = drive(world, wf.IN_BATCH)
    batch = project.batch
    _city, city2, city3 = city_officers(world)
    services.advance_batch(city2, batch)
    services.advance_batch(city3, batch)
    services.export_batch(city3, batch)
    InvestmentItem.objects.create(project=project, category="cloud", amount=Decimal("100000.01"))
    with pytest.raises(services.ServiceError, match="超过合同金额"):
        services.advance_batch(city3, batch)
    project.refresh_from_db()
    batch.refresh_from_db()
    assert project.state == wf.IN_BATCH and batch.status == wf.BATCH_APPROVED


# --- 2. one service decides every transition, for pages and API alike ------------------------------------

def _api(client, project, action):
    return client.post(f"/api/v1/programs/projects/{project.pk}/transition", json.dumps({"action": action}),
                       content_type="application/json")


def test_api_cannot_remove_a_project_from_a_reviewed_batch(world, programme, login):
    project = drive(world, wf.IN_BATCH)
    _city, city2, _city3 = city_officers(world)
    services.advance_batch(city2, project.batch)
    response = _api(login(world.users["city"]), project, "remove_from_batch")
    body = response.json()
    assert response.status_code == 409 and body["code"] == "refused" and "编制中" in body["message"]
    project.refresh_from_db()
    assert project.state == wf.IN_BATCH and project.batch_id is not None


def test_api_cannot_pay_one_project_of_an_approved_batch(world, programme, login):
    project = drive(world, wf.IN_BATCH)
    _city, city2, city3 = city_officers(world)
    services.advance_batch(city2, project.batch)
    services.advance_batch(city3, project.batch)
    response = _api(login(city3), project, "pay")
    assert response.status_code == 409 and "随批次一并兑现" in response.json()["message"]
    project.refresh_from_db()
    assert project.state == wf.IN_BATCH and project.paid_on is None


def test_api_may_remove_from_a_draft_batch_as_the_page_does(world, programme, login):
    project = drive(world, wf.IN_BATCH)
    response = _api(login(world.users["city"]), project, "remove_from_batch")
    assert response.status_code == 200 and response.json()["state"] == wf.CITY_APPROVED


def test_api_cannot_add_to_a_batch_without_naming_a_draft_batch(world, programme, login):
    project = drive(world, wf.CITY_APPROVED)
    response = _api(login(world.users["city"]), project, "add_to_batch")
    assert response.status_code == 409
    project.refresh_from_db()
    assert project.state == wf.CITY_APPROVED


# --- 3. separation of duties ---------------------------------------------------------------------------

def test_batch_drafter_reviewer_and_approver_differ(world, programme):
    project = drive(world, wf.CITY_APPROVED)
    city, city2, city3 = city_officers(world)
    batch = services.build_batch(city, programme, project_ids=[project.pk])
    with pytest.raises(services.ServiceError, match="四眼原则"):
        services.advance_batch(city, batch)
    services.advance_batch(city2, batch)
    for same in (city, city2):
        with pytest.raises(services.ServiceError, match="四眼原则"):
            services.advance_batch(same, batch)
    services.advance_batch(city3, batch)
    batch.refresh_from_db()
    assert (batch.created_by, batch.reviewed_by, batch.approved_by) == (city, city2, city3)


def test_four_eyes_rules_are_data_with_their_source():
    from shuzhuan.programs import programmes

    controls = programmes.load("demo-pilot").controls
    assert controls.batch_distinct_officers and controls.second_officer_above == Decimal("500000.00")
    assert controls.officer_roles == ("city_officer", "admin")
    assert controls.citation is not None and "silent" in controls.citation.note and not controls.citation.verified


def test_programme_file_controls_are_validated():
    from shuzhuan.programs.domain.errors import ProgrammeFileError
    from shuzhuan.programs.domain.parse import _controls, _Reader

    cite = {"document": "x", "verified": False}
    with pytest.raises(ProgrammeFileError, match="officer_roles"):
        _controls(_Reader("f.yaml"), "controls", {"officer_roles": ["enterprise"], "citation": cite})
    with pytest.raises(ProgrammeFileError, match="citation"):
        _controls(_Reader("f.yaml"), "controls", {"batch_distinct_officers": True})


def test_a_large_commitment_needs_a_second_officer(world, programme):
    from shuzhuan.funds import services as funds

    project = drive(world, wf.EXPERT_REVIEWED, items=(("software", "1200000.00"),))  # level 3: 600,000 > 500,000
    city, city2, _city3 = city_officers(world)
    services.transition(city, project, "city_approve")
    project.refresh_from_db()
    assert project.state == wf.EXPERT_REVIEWED and project.first_approved_by == city
    assert project.first_approved_amount == Decimal("600000.00")
    assert sum(v["committed"] for v in funds.balances(programme.code).values()) == Decimal("0.00")
    offer = next(o for o in services.offers(project, city) if o.action == "city_approve")
    assert offer.refusal and "另一名市级人员" in offer.refusal
    with pytest.raises(services.ServiceError, match="另一名市级人员"):
        services.transition(city, project, "city_approve")
    services.transition(city2, project, "city_approve")
    project.refresh_from_db()
    assert project.state == wf.CITY_APPROVED and project.subsidy_amount == Decimal("600000.00")


def test_a_commitment_under_the_threshold_needs_one_officer(world, programme):
    project = drive(world, wf.EXPERT_REVIEWED)  # 400,000
    services.transition(world.users["city"], project, "city_approve")
    project.refresh_from_db()
    assert project.state == wf.CITY_APPROVED and project.first_approved_by is None


def test_payment_list_carries_the_payee_account_masked_on_screen(world, programme, login):
    from python_calamine import CalamineWorkbook

    project = drive(world, wf.IN_BATCH)
    type(project).objects.filter(pk=project.pk).update(payee_bank="中国工商银行示范市分行", payee_account="6222020200112233445")
    batch = project.batch
    _city, city2, city3 = city_officers(world)
    services.advance_batch(city2, batch)
    services.advance_batch(city3, batch)
    page = login(city3).get(f"/programs/batches/{batch.pk}/").content.decode()
    assert "***************3445" in page and "6222020200112233445" not in page
    export = login(city3).post(f"/programs/batches/{batch.pk}/export.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_name("拨付清单").to_python()
    assert rows[1][8:10] == ["收款开户行", "收款账号"]
    assert rows[2][8] == "中国工商银行示范市分行" and rows[2][9] == "6222020200112233445"
    assert PayoutBatch.objects.get(pk=batch.pk).exported_at is not None


def test_mask_account():
    assert wf.mask_account("6222 0202 0011 2233") == "************2233"
    assert wf.mask_account("") == "" and wf.mask_account("123") == "***"


def test_city_approval_page_states_the_amount_and_needs_the_checkbox(world, programme, login):
    project = drive(world, wf.EXPERT_REVIEWED)
    c = login(world.users["city"])
    page = c.get(f"/programs/projects/{project.pk}/").content.decode()
    assert "确认批准补助 400,000.00 元" in page and 'name="confirm"' in page
    refused = c.post(f"/programs/projects/{project.pk}/act/", {"action": "city_approve"}, follow=True).content.decode()
    assert "请勾选" in refused
    stale = c.post(f"/programs/projects/{project.pk}/act/",
                   {"action": "city_approve", "confirm": "1", "confirm_amount": "300000.00"}, follow=True)
    assert "请重新确认" in stale.content.decode()
    project.refresh_from_db()
    assert project.state == wf.EXPERT_REVIEWED
    c.post(f"/programs/projects/{project.pk}/act/", {"action": "city_approve", "confirm": "1", "confirm_amount": "400000.00"})
    project.refresh_from_db()
    assert project.state == wf.CITY_APPROVED


def test_batch_page_states_the_total_and_needs_the_checkbox(world, programme, login):
    from shuzhuan.programs.tests.factories import confirm_batch

    project = drive(world, wf.IN_BATCH)
    batch = project.batch
    _city, city2, _city3 = city_officers(world)
    c = login(city2)
    page = c.get(f"/programs/batches/{batch.pk}/").content.decode()
    assert "确认复核通过：1 个项目，合计 400,000.00 元" in page
    assert "请勾选确认" in c.post(f"/programs/batches/{batch.pk}/advance/", follow=True).content.decode()
    batch.refresh_from_db()
    assert batch.status == wf.BATCH_DRAFT
    c.post(f"/programs/batches/{batch.pk}/advance/", confirm_batch(batch))
    batch.refresh_from_db()
    assert batch.status == wf.BATCH_REVIEWED


# --- 8. a town officer sees its own figures only --------------------------------------------------------

def test_town_sees_its_own_total_on_a_batch_header(world, programme, login):
    a = drive(world, wf.CITY_APPROVED, side="a")
    factories.lighting_firm(world, "b")
    b = drive(world, wf.CITY_APPROVED, side="b", items=(("software", "400000.00"),))
    batch = services.build_batch(world.users["city"], programme, project_ids=[a.pk, b.pk])
    city_page = login(world.users["city"]).get(f"/programs/batches/{batch.pk}/").content.decode()
    assert "2 个项目" in city_page and "600,000.00" in city_page
    town_page = login(world.users["town_a"]).get(f"/programs/batches/{batch.pk}/").content.decode()
    assert "1 个项目" in town_page and "400,000.00" in town_page and "600,000.00" not in town_page


# --- 4. only providers in the pool rate on site -----------------------------------------------------------

def _submitted_self_assessment(world):
    from shuzhuan.assessment import services as assessment
    from shuzhuan.assessment.tests.sheets import answers, rated

    row = assessment.start_self_assessment(world.users["ent_a"], world.enterprises["a"], "baseline")
    assessment.save_draft(world.users["ent_a"], row, answers=answers(), figures={}, scenarios=rated(1, 3, 3))
    assessment.submit(world.users["ent_a"], row, pledge=True)
    return row


def test_a_removed_provider_cannot_be_assigned_as_rater(world, login):
    from shuzhuan.assessment import services as assessment
    from shuzhuan.assessment.models import RaterAssignment
    from shuzhuan.programs.tests.factories import pool_provider

    pool_provider(world.orgs["provider_a"], "removed")
    pool_provider(world.orgs["provider_b"], "in_pool")
    row = _submitted_self_assessment(world)
    c = login(world.users["town_a"])
    form = c.get(f"/assessment/{row.pk}/assign/").content.decode()
    assert world.orgs["provider_b"].name in form and world.orgs["provider_a"].name not in form
    response = c.post(f"/assessment/{row.pk}/assign/", {"organisation": world.orgs["provider_a"].pk})
    assert response.status_code == 200 and not RaterAssignment.objects.exists()
    with pytest.raises(assessment.ServiceError, match="不在供给资源池中"):
        assessment.assign_rater(world.users["town_a"], row, organisation=world.orgs["provider_a"])
    assessment.assign_rater(world.users["town_a"], row, organisation=world.orgs["provider_b"])
    assert RaterAssignment.objects.get().rater_organisation == world.orgs["provider_b"]


def test_a_rating_by_a_provider_since_removed_does_not_gate_the_payout(world, programme):
    from shuzhuan.programs.tests.factories import pool_provider

    project = drive(world, wf.ACCEPTANCE_APPLIED)
    from shuzhuan.programs.tests.factories import post_rating

    pool_provider(world.orgs["provider_b"], "in_pool")
    post_rating(project.enterprise, level=3, rater=world.orgs["provider_b"])
    pool_provider(world.orgs["provider_b"], "removed")  # 出池 after signing
    with pytest.raises(services.ServiceError, match="不在供给资源池中"):
        services.transition(world.users["town_a"], project, "confirm_post_assessment")
    pool_provider(world.orgs["provider_b"], "in_pool")
    services.transition(world.users["town_a"], project, "confirm_post_assessment")
    project.refresh_from_db()
    assert project.state == wf.POST_ASSESSED


# --- 7. relationships are time-bound ---------------------------------------------------------------------

def _sees(user, enterprise) -> bool:
    from shuzhuan.registry.models import Enterprise

    return Enterprise.objects.visible_to(user).filter(pk=enterprise.pk).exists()


def test_a_contact_request_gives_access_while_open_and_a_declined_one_ends_it(world, settings):
    import datetime as dt

    from django.utils import timezone

    from shuzhuan.marketplace.models import ContactRequest, ContactStatus
    from shuzhuan.programs.tests.factories import pool_provider

    profile = pool_provider(world.orgs["provider_a"])
    firm, provider = world.enterprises["a"], world.users["provider_a"]
    request = ContactRequest.objects.create(enterprise=firm, provider=profile)
    assert _sees(provider, firm)
    ContactRequest.objects.filter(pk=request.pk).update(status=ContactStatus.DECLINED)
    assert not _sees(provider, firm)  # declined: no longer the provider's business
    settings.RELATIONSHIP_GRACE_DAYS = 180
    ContactRequest.objects.filter(pk=request.pk).update(status=ContactStatus.CONTACTED,
                                                       updated_at=timezone.now() - dt.timedelta(days=181))
    assert not _sees(provider, firm)  # stale beyond the stated period
    ContactRequest.objects.filter(pk=request.pk).update(updated_at=timezone.now() - dt.timedelta(days=179))
    assert _sees(provider, firm)


def test_a_contract_gives_access_until_the_period_after_it_ended(world, programme):
    import datetime as dt

    from django.utils import timezone

    from shuzhuan.programs.models import Project

    project = drive(world, wf.DRAFT)
    services.update_contract(world.users["ent_a"], project, provider=world.orgs["provider_a"])
    provider = world.users["provider_a"]
    assert _sees(provider, world.enterprises["a"])
    Project.objects.filter(pk=project.pk).update(state=wf.WITHDRAWN, updated_at=timezone.now() - dt.timedelta(days=200))
    assert not _sees(provider, world.enterprises["a"])


def test_an_expert_sees_only_the_assigned_assessment(world, login):
    from shuzhuan.assessment import services as assessment
    from shuzhuan.assessment.models import Assessment

    assigned = _submitted_self_assessment(world)
    other = Assessment.objects.create(enterprise=world.enterprises["a"], kind="baseline", source="import",
                                      status="imported", level=1, score=Decimal("30"), assessed_on=assigned.assessed_on)
    assessment.assign_rater(world.users["city"], assigned, user=world.users["expert"])
    visible = set(Assessment.objects.visible_to(world.users["expert"]).values_list("pk", flat=True))
    assert assigned.pk in visible and other.pk not in visible
    c = login(world.users["expert"])
    assert c.get(f"/assessment/{assigned.pk}/").status_code == 200
    assert c.get(f"/assessment/{other.pk}/").status_code == 404


def test_a_reviewing_expert_sees_the_projects_post_assessment_only(world, programme):
    from shuzhuan.assessment.models import Assessment

    project = drive(world, wf.TOWN_REVIEWED)
    services.assign_expert(world.users["city"], project, world.users["expert"])
    project.refresh_from_db()
    visible = set(Assessment.objects.visible_to(world.users["expert"]).values_list("pk", flat=True))
    assert visible == {project.post_assessment_id}


# --- programme errors are translatable (issue 15 item 2, programs part) --------------------------------------

def test_programme_service_errors_show_in_english(world, programme):
    from django.utils import translation

    project = drive(world, wf.DRAFT)
    with translation.override("en"), pytest.raises(services.ServiceError) as exc:
        services.add_item(world.users["ent_a"], project, "software", Decimal("0"))
    assert str(exc.value) == "The amount must be greater than 0"
    with translation.override("en"), pytest.raises(services.ServiceError) as exc:
        services.add_item(world.users["ent_a"], project, "nope", Decimal("1"))
    assert str(exc.value) == "Unknown cost category 'nope'"


def test_every_programme_service_raise_is_translated():
    """No raw Chinese literal in a `raise ServiceError(...)` of the programme services."""
    import pathlib
    import re

    folder = pathlib.Path(services.__file__).parent
    raw = [f"{path.name}: {m.group(0)}" for path in folder.glob("*.py")
           for m in re.finditer(r'raise ServiceError\(f?"[^"]*[\u4e00-\u9fff]', path.read_text())]
    assert raw == []
