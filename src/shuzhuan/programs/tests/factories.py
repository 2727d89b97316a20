"""Test helpers: a funded programme, a pool provider, a listed enterprise, files of each type, and
a project driven to any state through the services (the same path the pages take)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.tests.scope_fixtures import make_programme

__all__ = ["make_programme", "fund", "pool_provider", "listed", "pdf", "xlsx", "docx", "post_rating", "drive", "UPTO",
           "city_officers", "confirm_batch"]


def city_officers(world) -> tuple:
    """Three city officers (the world's `city`, then `city2`, `city3`): a batch's drafter, reviewer
    and approver must differ (the programme's four-eyes controls)."""
    from conftest import make_user

    from shuzhuan.core.models import User

    extra = []
    for name in ("city2", "city3"):
        user = User.objects.filter(username=name).first() or make_user(name, "city_officer")
        world.users[name] = user
        extra.append(user)
    return (world.users["city"], *extra)


def fund(programme, amount: str = "3000000.00", actor=None) -> None:
    from shuzhuan.funds import services as funds

    for source in ("central", "provincial", "municipal"):
        funds.allocate(programme.code, source, "direct_sme", Decimal(amount), actor, memo="测试下达")


def pool_provider(org, status: str = "in_pool"):
    from shuzhuan.marketplace.models import ProviderProfile

    profile, _created = ProviderProfile.objects.update_or_create(organisation=org, defaults={"pool_status": status})
    return profile


def lighting_firm(world, side: str) -> None:
    """Enterprise `side` made a lighting firm (class 3872), inside the demo pilot's sub-industries (its data
    file: lighting and appliances); the world's enterprise b is a hardware firm (3351) and outside them."""
    ent = world.enterprises[side]
    ent.industry_id = "3872"
    ent.save(update_fields=["industry"])


def listed(world, side: str = "a", programme=None):
    from shuzhuan.programs import services

    programme = programme or make_programme()
    ent = world.enterprises[side]
    listing = services.apply_for_listing(world.users[f"ent_{side}"], programme, ent, "申请")
    services.review_listings(world.users[f"town_{side}"], [listing.pk], True)
    services.review_listings(world.users["city"], [listing.pk], True)
    listing.refresh_from_db()
    return listing


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% test document\n", content_type="application/pdf")


def _office(name: str, member: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "<x/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def xlsx(name: str = "table.xlsx") -> SimpleUploadedFile:
    return _office(name, "xl/workbook.xml")


def docx(name: str = "report.docx") -> SimpleUploadedFile:
    return _office(name, "word/document.xml")


def post_rating(enterprise, level: int = 3, on: dt.date | None = None, rater=None, signed: bool = True,
                source: str = "onsite", kind: str = "post"):
    from shuzhuan.assessment.models import Assessment

    return Assessment.objects.create(enterprise=enterprise, kind=kind, source=source,
                                     status="signed" if signed else "submitted", level=level,
                                     score=Decimal("40.000") + 10 * level, assessed_on=on or dt.date.today(),
                                     rater_organisation=rater)


UPTO = wf.ORDER


def drive(world, upto: str, side: str = "a", level: int = 3, items=(("software", "800000.00"),)):
    """A project of enterprise `side` with provider `side`, moved through the services up to `upto`."""
    from shuzhuan.programs import services

    ent_user, town, city = world.users[f"ent_{side}"], world.users[f"town_{side}"], world.users["city"]
    provider = world.orgs[f"provider_{side}"]
    pool_provider(provider)
    listing = listed(world, side)
    project = services.create_project(ent_user, listing, "MES 与数据采集改造")
    steps = []

    if upto == wf.DRAFT:
        return project
    services.update_contract(ent_user, project, provider=provider, contract_no="HT-001",
                             contract_amount=max(Decimal("900000.00"), sum(Decimal(a) for _c, a in items)),
                             signed_on=dt.date.today(), payee_bank="示范银行", payee_account="6222000011112222")
    for category, amount in items:
        services.add_item(ent_user, project, category, Decimal(amount))
    services.upload_document(ent_user, project, "contract", pdf("合同.pdf"))
    services.add_milestone(ent_user, project, "系统上线", dt.date.today())
    steps += [("file_contract", ent_user), ("start", ent_user)]
    for action, actor in steps:
        project = services.transition(actor, project, action)
        if project.state == upto:
            return project
    services.finish_milestone(ent_user, project, project.milestones.first().pk)
    project = services.transition(ent_user, project, "complete")
    if upto == wf.COMPLETED:
        return project
    uploads = {"archive": pdf, "application": pdf, "financial_check": xlsx, "invoices": pdf, "summary": docx,
               "results": pdf, "self_assessment": pdf}
    for kind, make in uploads.items():
        services.upload_document(ent_user, project, kind, make(f"{kind}.{ 'xlsx' if make is xlsx else 'docx' if make is docx else 'pdf'}"))
    project = services.transition(ent_user, project, "apply_acceptance")
    if upto == wf.ACCEPTANCE_APPLIED:
        return project
    rater = world.orgs["provider_b" if side == "a" else "provider_a"]
    pool_provider(rater)  # only providers in the pool rate on site
    post_rating(project.enterprise, level=level, rater=rater)
    project = services.transition(town, project, "confirm_post_assessment")
    if upto == wf.POST_ASSESSED:
        return project
    project = services.transition(town, project, "town_review")
    if upto == wf.TOWN_REVIEWED:
        return project
    services.assign_expert(city, project, world.users["expert"])
    project = services.submit_expert_opinion(world.users["expert"], project, Decimal("88"), True, "资料齐全，成效明显")
    if upto == wf.EXPERT_REVIEWED:
        return project
    project = services.transition(city, project, "city_approve")
    if upto == wf.CITY_APPROVED:
        return project
    batch = services.build_batch(city, project.programme, dt.date.today(), [project.pk])
    project.refresh_from_db()
    if upto == wf.IN_BATCH:
        return project
    _drafter, reviewer, approver = city_officers(world)
    services.advance_batch(reviewer, batch)
    services.advance_batch(approver, batch)
    services.export_batch(approver, batch)
    services.advance_batch(approver, batch)
    project.refresh_from_db()
    return project


def confirm_batch(batch) -> dict[str, str]:
    """The batch page's confirmation (checkbox and the total it stated)."""
    from shuzhuan.programs import services

    return {"confirm": "1", "confirm_total": f"{services.batch_total(batch):.2f}"}
