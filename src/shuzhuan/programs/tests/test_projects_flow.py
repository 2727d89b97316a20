"""The project lifecycle through the services: the whole path, returns, refusals, the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shuzhuan.core.models import AuditEntry
from shuzhuan.programs import services
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import Project
from shuzhuan.programs.tests.factories import (
    city_officers,
    drive,
    fund,
    listed,
    make_programme,
    pdf,
    pool_provider,
    post_rating,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(world):
    programme = make_programme()
    fund(programme)
    return programme


def test_whole_path_to_paid_commits_and_pays_the_ledger(world, programme):
    from shuzhuan.funds import services as funds

    project = drive(world, wf.PAID)
    assert project.state == wf.PAID
    assert project.subsidy_amount == Decimal("400000.00")  # 800,000 × 50 %, under the 三级 cap
    assert project.subsidy_by_source == {"central": "133333.34", "provincial": "133333.33", "municipal": "133333.33"}
    assert any("× 50%" in line for line in project.subsidy_explanation)
    lines = funds.balances(programme.code)
    assert sum(v["paid"] for v in lines.values()) == Decimal("400000.00")
    assert sum(v["committed"] for v in lines.values()) == Decimal("0.00")
    timeline = list(AuditEntry.objects.filter(organisation_id=project.enterprise_id).values_list("action", flat=True))
    for action in ("file_contract", "start", "complete", "apply_acceptance", "confirm_post_assessment", "town_review",
                   "expert_review", "city_approve", "add_to_batch", "pay"):
        assert f"programs.project.{action}" in timeline


def test_return_for_changes_and_resubmit(world, programme):
    project = drive(world, wf.POST_ASSESSED)
    with pytest.raises(services.ServiceError, match="原因"):
        services.transition(world.users["town_a"], project, "return", "")
    project = services.transition(world.users["town_a"], project, "return", "财务核查表缺少签章")
    assert project.state == wf.RETURNED and project.returned_to == wf.COMPLETED
    services.upload_document(world.users["ent_a"], project, "invoices", pdf("补正发票.pdf"))
    project = services.transition(world.users["ent_a"], project, "resubmit")
    assert project.state == wf.ACCEPTANCE_APPLIED
    entry = AuditEntry.objects.filter(action="programs.project.return").get()
    assert entry.reason == "财务核查表缺少签章" and entry.organisation_id == project.enterprise_id


def test_contract_return_goes_back_to_draft(world, programme):
    project = drive(world, wf.CONTRACT_FILED)
    project = services.transition(world.users["city"], project, "return", "合同金额与明细不符")
    assert project.returned_to == wf.DRAFT
    services.add_item(world.users["ent_a"], project, "cloud", Decimal("100000.00"))
    project = services.transition(world.users["ent_a"], project, "resubmit")
    assert project.state == wf.CONTRACT_FILED


def test_guards_refuse_with_reasons(world, programme):
    project = drive(world, wf.DRAFT)
    with pytest.raises(services.ServiceError, match="服务商不在供给资源池"):
        services.transition(world.users["ent_a"], project, "file_contract")
    pool_provider(world.orgs["provider_a"])
    services.update_contract(world.users["ent_a"], project, provider=world.orgs["provider_a"])
    with pytest.raises(services.ServiceError, match="投资明细"):
        services.transition(world.users["ent_a"], project, "file_contract")
    with pytest.raises(services.ServiceError, match="当前角色不能"):
        services.transition(world.users["provider_a"], project, "file_contract")
    with pytest.raises(services.ServiceError, match="不能核验"):
        services.transition(world.users["city"], project, "confirm_post_assessment")


def test_post_assessment_must_be_signed_onsite_post_and_passing(world, programme):
    project = drive(world, wf.ACCEPTANCE_APPLIED)
    town = world.users["town_a"]
    post_rating(project.enterprise, level=3, source="self")
    with pytest.raises(services.ServiceError, match="未找到改造后的现场评定"):
        services.transition(town, project, "confirm_post_assessment")
    pool_provider(world.orgs["provider_b"])  # only providers in the pool rate on site
    post_rating(project.enterprise, level=1, rater=world.orgs["provider_b"])
    with pytest.raises(services.ServiceError, match="未达到二级"):
        services.transition(town, project, "confirm_post_assessment")
    Project.objects.filter(pk=project.pk).update(provider=world.orgs["provider_b"])
    post_rating(project.enterprise, level=3, rater=world.orgs["provider_b"])
    with pytest.raises(services.ServiceError, match="利益冲突"):
        services.transition(town, project, "confirm_post_assessment")


def test_rejection_after_approval_releases_the_commitment(world, programme):
    from shuzhuan.funds import services as funds

    project = drive(world, wf.CITY_APPROVED)
    assert funds.free_direct_balance(programme.code) < Decimal("9000000.00")
    project = services.transition(world.users["city"], project, "reject", "发现重复申报")
    assert project.state == wf.REJECTED
    assert funds.free_direct_balance(programme.code) == Decimal("9000000.00")
    assert funds.open_commitment(project.reference) is None


def test_approval_is_capped_by_what_the_programme_still_has(world):
    programme = make_programme()
    fund(programme, amount="50000.00")
    project = drive(world, wf.CITY_APPROVED)
    assert project.subsidy_amount == Decimal("150000.00")
    assert any("计划剩余可用资金" in line for line in project.subsidy_explanation)


def test_satisfaction_after_payout(world, programme):
    project = drive(world, wf.IN_BATCH)
    with pytest.raises(services.ServiceError, match="兑现后"):
        services.rate_provider(world.users["ent_a"], project, 5)
    _city, city2, city3 = city_officers(world)
    services.advance_batch(city2, project.batch)
    services.advance_batch(city3, project.batch)
    services.export_batch(city3, project.batch)
    services.advance_batch(city3, project.batch)
    project.refresh_from_db()
    from shuzhuan.marketplace.models import ProviderProfile

    assert ProviderProfile.objects.get(pk=world.orgs["provider_a"].pk).stars is None  # no rating yet
    ProviderProfile.objects.filter(pk=world.orgs["provider_a"].pk).update(admission_score=Decimal("85.00"))
    rating = services.rate_provider(world.users["ent_a"], project, 4, "响应及时")
    assert rating.provider_id == world.orgs["provider_a"].pk and rating.score == 4
    with pytest.raises(services.ServiceError, match="已评价"):
        services.rate_provider(world.users["ent_a"], project, 5)
    # the rating feeds the pool's star rating, with its explanation (satisfaction 4/5 = 80.00)
    record = services.delivery_record(world.orgs["provider_a"].pk)
    assert record.rated_projects == 1 and record.satisfaction == Decimal("80.00") and record.accepted_projects == 1
    profile = ProviderProfile.objects.get(pk=world.orgs["provider_a"].pk)
    assert profile.stars is not None and profile.stars_explanation


def test_contracted_providers_and_rater_conflict(world, programme):
    project = drive(world, wf.CONTRACT_FILED)
    assert services.contracted_providers(project.enterprise) == {world.orgs["provider_a"].pk}
    assert services.rater_conflict(project.enterprise, world.orgs["provider_a"])
    assert services.rater_conflict(project.enterprise, world.orgs["provider_b"]) is None
    # the assessment app asks the same question before assigning an on-site rater
    from shuzhuan.assessment.services import rater_conflicts

    assert rater_conflicts(project.enterprise, world.orgs["provider_a"]) == services.rater_conflict(
        project.enterprise, world.orgs["provider_a"])


def test_listing_eligibility_and_proposal(world):
    programme = make_programme()
    ent = world.enterprises["a"]
    result = services.check_eligibility(programme, ent)
    assert result.eligible and result.sub_industry == "lighting"
    ent.zjtx_tier = "little_giant"
    ent.save()
    with pytest.raises(services.ServiceError, match="小巨人"):
        services.apply_for_listing(world.users["ent_a"], programme, ent)
    ent.zjtx_tier = ""
    ent.save()
    assert services.propose(world.users["town_a"], programme, town_id=world.towns["a"].pk, limit=10) == 1
    listing = ent.pilot_listings.get()
    assert listing.status == wf.LISTING_PROPOSED
    with pytest.raises(services.ServiceError):
        services.review_listings(world.users["town_b"], [listing.pk], True)
    services.review_listings(world.users["town_a"], [listing.pk], True)
    services.review_listings(world.users["city"], [listing.pk], True)
    listing.refresh_from_db()
    assert listing.status == wf.LISTING_LISTED and listing.finish_due == wf.add_months(listing.listed_on, 3)


def test_earlier_pilot_excludes(world):
    import datetime as dt

    from shuzhuan.programs.models import Programme

    earlier = Programme.objects.create(code="demo-town-scheme", name="早期试点", starts_on=dt.date(2023, 1, 1),
                                       ends_on=dt.date(2024, 1, 1))  # sub-industries: its data file
    listed(world, "a", programme=earlier)
    result = services.check_eligibility(make_programme(), world.enterprises["a"])
    assert not result.eligible and "早期试点" in result.reasons[0]


def test_deadline_reminders(world, programme):
    import datetime as dt

    project = drive(world, wf.IN_PROGRESS)
    Project.objects.filter(pk=project.pk).update(finish_due=dt.date.today() - dt.timedelta(days=3))
    assert services.overdue_projects().filter(pk=project.pk).exists()
    assert services.remind_deadlines() == 1
    assert services.remind_deadlines() == 0  # once a week
    assert AuditEntry.objects.filter(action="programs.project.remind", organisation_id=project.enterprise_id).exists()
    with pytest.raises(services.ServiceError, match="期限"):
        Project.objects.filter(pk=project.pk).update(state=wf.CONTRACT_FILED)
        services.transition(world.users["ent_a"], project, "start")
