"""The demo city's running pilot: the programme `demo-pilot` with ~300 listed firms in two
sub-industries (照明灯饰, 家用电器), projects in every state, one paid payout batch.

Everything goes through the services (so each step is guarded and on the firms' timelines), as
the system (no actor) or as the demo expert. It uses the registry's demo enterprises, their
assessments and the pool's providers when present, and creates what it needs when absent: a few
fictional firms and in-pool providers, the programme's budget lines, the post-transformation
on-site ratings. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from shuzhuan.programs import services
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.models import (
    ExpertOpinion,
    InvestmentItem,
    Listing,
    Milestone,
    PayoutBatch,
    Programme,
    Project,
    ProjectDocument,
    Satisfaction,
)

CODE = "demo-pilot"
LISTED = 300
# projects per final state of the demo (≈ 70): every state of the machine appears
PLAN: tuple[tuple[str, int], ...] = (
    (wf.DRAFT, 4), (wf.CONTRACT_FILED, 6), (wf.IN_PROGRESS, 10), (wf.COMPLETED, 5), (wf.ACCEPTANCE_APPLIED, 4),
    (wf.POST_ASSESSED, 3), (wf.TOWN_REVIEWED, 3), (wf.EXPERT_REVIEWED, 3), (wf.CITY_APPROVED, 4), (wf.IN_BATCH, 4),
    (wf.PAID, 12), (wf.RETURNED, 3), (wf.REJECTED, 2), (wf.WITHDRAWN, 2),
)
TITLES = ("MES 生产执行系统建设", "设备联网与数据采集改造", "ERP 与财务业务一体化", "仓储物流数字化升级",
          "质量追溯系统建设", "能耗在线监测改造", "研发设计协同平台", "订单与供应链协同上云")
OPINIONS = ("改造内容与合同一致，成效佐证充分，建议通过。", "数据采集覆盖主要工序，建议通过。",
            "系统已稳定运行，财务凭证齐全，建议通过。")
FALLBACK_FIRMS = 40
_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text + ("\n" if not text.endswith("\n") else ""))


def present() -> bool:
    return Listing.objects.filter(programme__code=CODE).exists()


def _office(member: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "<demo/>")
    return buffer.getvalue()


def _file(kind: str, title: str) -> SimpleUploadedFile:
    if kind == "financial_check":
        return SimpleUploadedFile(f"{title}-财务核查表.xlsx", _office("xl/workbook.xml"))
    if kind == "summary":
        return SimpleUploadedFile(f"{title}-总结报告.docx", _office("word/document.xml"))
    label = wf.DOCUMENTS[kind].label
    return SimpleUploadedFile(f"{title}-{label}.pdf", _PDF)


def ensure_programme() -> Programme:
    programme, _created = Programme.objects.get_or_create(code=CODE, defaults={
        "name": "中小企业数字化转型城市试点（示范城市）",
        "description": "试点企业完成数字化改造并经现场评定达到二级及以上后，按等级奖补；中央、省级、市级 1:1:1。",
        "starts_on": dt.date(2024, 7, 1), "ends_on": dt.date(2026, 7, 1)})  # eligibility and deadlines: data/programmes/demo-pilot.yaml
    return programme


def _ensure_funds(programme: Programme) -> None:
    from shuzhuan.funds import services as funds

    if funds.balances(programme.code):
        return
    for source, direct in (("central", "30000000.00"), ("provincial", "30000000.00"), ("municipal", "30000000.00")):
        funds.allocate(programme.code, source, "direct_sme", Decimal(direct), None, memo="示范城市试点资金下达（演示）")
    funds.allocate(programme.code, "central", "public_services", Decimal("5000000.00"), None,
                   memo="公共服务与平台建设（演示，≤ 20%）")


def _providers(rng: random.Random) -> list[Any]:
    """In-pool providers; a few fictional ones when the pool has none."""
    from shuzhuan.core.models import Organisation, OrganisationKind
    from shuzhuan.marketplace.demo import admit_demo_provider
    from shuzhuan.registry.domain import make_uscc

    orgs = list(services.pool_providers()[:40])
    if len(orgs) >= 4:
        return orgs
    names = ("中山市澜岳数智科技有限公司", "中山市岐联工业互联网有限公司", "中山市灯都云智软件有限公司", "中山市粤森数据服务有限公司",
             "中山市翠亨智造科技有限公司")
    for i, name in enumerate(names, 1):
        uscc = make_uscc("442000", f"PX{i:06d}")
        org, _created = Organisation.objects.get_or_create(uscc=uscc, defaults={"name": name, "kind": OrganisationKind.PROVIDER})
        admit_demo_provider(org, dt.date(2024, 9, 1))
    return list(services.pool_providers()[:40])


def _fallback_firms() -> None:
    """A few fictional firms of the two sub-industries when the registry has none."""
    from shuzhuan.core.models import Organisation, OrganisationKind, Town
    from shuzhuan.registry.domain import make_uscc
    from shuzhuan.registry.models import Enterprise

    towns = {name: Town.objects.resolve(name) for name in ("古镇", "横栏", "东凤", "南头")}
    for i in range(FALLBACK_FIRMS):
        lighting = i % 2 == 0
        town = towns["古镇" if lighting and i % 4 == 0 else "横栏" if lighting else "东凤" if i % 4 == 1 else "南头"]
        if town is None:
            continue
        name = f"中山市{'明澜灯饰' if lighting else '岐滨电器'}第{i + 1}制造有限公司"
        uscc = make_uscc("442000", f"PY{i:06d}")
        org, created = Organisation.objects.get_or_create(uscc=uscc, defaults={"name": name, "kind": OrganisationKind.ENTERPRISE})
        if created:
            Enterprise.objects.create(organisation=org, town=town, industry_id="3872" if lighting else "3856",
                                      size_class="small", employees=80, revenue=Decimal("30000000.00"))


def _expert():
    from shuzhuan.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
    from shuzhuan.core.models import Role, User

    spec = next(s for s in DEMO_ACCOUNTS if s.role == Role.EXPERT)
    user = User.objects.filter(username=spec.username).first()
    if user is None:
        user = User(username=spec.username, role=Role.EXPERT, display_name=spec.display_name,
                    mobile=None if User.objects.filter(mobile=spec.mobile).exists() else spec.mobile)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user if user.role == Role.EXPERT else None


def _listings(programme: Programme, rng: random.Random, say: Any) -> list[Listing]:
    wanted = LISTED + 30
    if len(services.proposal(programme, limit=wanted)) < 20:
        _fallback_firms()
    services.propose(None, programme, None, wanted)
    rows = list(programme.listings.filter(status=wf.LISTING_PROPOSED).order_by("pk"))
    rng.shuffle(rows)
    # a few enterprise applications stay with the town; the rest pass the town, most pass the city
    town_ok = rows[: max(len(rows) - 15, 0)]
    services.review_listings(None, [r.pk for r in town_ok], True, "")
    city_ok = town_ok[: min(LISTED, max(len(town_ok) - 15, 0))]
    services.review_listings(None, [r.pk for r in city_ok], True, "")
    today = timezone.localdate()
    listed = list(programme.listings.filter(status=wf.LISTING_LISTED).select_related("enterprise").order_by("pk"))
    for listing in listed:  # listed over the last months: deadlines fall on different days
        listed_on = today - dt.timedelta(days=rng.randint(5, 80))
        Listing.objects.filter(pk=listing.pk).update(listed_on=listed_on,
                                                     finish_due=wf.add_months(listed_on, programme.finish_months))
    say(f"  试点企业库：推荐 {len(rows)} 家，镇街审核通过 {len(town_ok)} 家，市级审定入库 {len(listed)} 家")
    return list(programme.listings.filter(status=wf.LISTING_LISTED).select_related("enterprise__organisation")
                .order_by("pk"))


def _post_rating(project: Project, level: int, rater_org_id: int | None, rng: random.Random) -> None:
    """A signed on-site post-transformation rating: a real answer sheet scored by the real scorer, drawn
    until it reaches `level` (so reports, statistics and the project all show the same figures)."""
    from shuzhuan.assessment.demo import signed_post_rating

    signed_post_rating(project.enterprise_id, rater_org_id, level, rng)


def _drive(project: Project, target: str, rng: random.Random, providers: list[Any], expert: Any) -> Project:
    """Move a draft project forward through the services until `target` (the batch steps excluded)."""
    provider = rng.choice(providers)
    main = ("software", "cloud", "data_hardware")
    items = [(category, Decimal(rng.randint(8, 90) * 10000), "") for category in rng.sample(main, rng.randint(1, 3))]
    if rng.random() < 0.3:
        items.append(("office_pc", Decimal(rng.randint(1, 6) * 10000), "办公电脑（不可补助）"))
    # the contract covers the items (they may not add up to more: services refuse it) plus some services
    contract = sum((amount for _c, amount, _d in items), Decimal("0")) + Decimal(rng.randint(0, 30) * 10000)
    services.update_contract(None, project, provider=provider, contract_no=f"SZ-{project.pk:05d}",
                             contract_amount=contract, signed_on=timezone.localdate(), payee_bank="示范农村商业银行",
                             payee_account=f"80020{project.enterprise_id:012d}")
    for category, amount, description in items:
        services.add_item(None, project, category, amount, description)
    services.upload_document(None, project, "contract", _file("contract", project.title))
    for i, name in enumerate(("需求调研与方案确认", "系统部署与设备联网", "试运行与培训")):
        services.add_milestone(None, project, name, timezone.localdate() + dt.timedelta(days=20 * (i + 1)))
    if target == wf.DRAFT:
        return project
    steps = [wf.CONTRACT_FILED, wf.IN_PROGRESS, wf.COMPLETED, wf.ACCEPTANCE_APPLIED, wf.POST_ASSESSED,
             wf.TOWN_REVIEWED, wf.EXPERT_REVIEWED, wf.CITY_APPROVED]
    for state in steps:
        if state == wf.CONTRACT_FILED:
            project = services.transition(None, project, "file_contract")
        elif state == wf.IN_PROGRESS:
            project = services.transition(None, project, "start")
        elif state == wf.COMPLETED:
            for milestone in project.milestones.all():
                services.finish_milestone(None, project, milestone.pk)
            project = services.transition(None, project, "complete")
        elif state == wf.ACCEPTANCE_APPLIED:
            for kind in wf.DOCUMENTS:
                if kind != "contract":
                    services.upload_document(None, project, kind, _file(kind, project.title))
            project = services.transition(None, project, "apply_acceptance")
        elif state == wf.POST_ASSESSED:
            raters = [p.pk for p in providers if p.pk != project.provider_id]
            _post_rating(project, rng.choices((2, 3, 4), (5, 3, 1))[0], rng.choice(raters) if raters else None, rng)
            project = services.transition(None, project, "confirm_post_assessment")
        elif state == wf.TOWN_REVIEWED:
            project = services.transition(None, project, "town_review")
        elif state == wf.EXPERT_REVIEWED:
            if expert is not None:
                services.assign_expert(None, project, expert)
                project = services.submit_expert_opinion(expert, project, Decimal(rng.randint(75, 95)), True,
                                                          rng.choice(OPINIONS))
            else:
                project = services.transition(None, project, "expert_review")
        elif state == wf.CITY_APPROVED:
            project = services.transition(None, project, "city_approve")
        if project.state == target:
            break
    return project


def short_firm_name(name: str) -> str:
    """A firm's name as people say it in a project title: without the city and the legal form
    (中山市成凯昕灯具有限公司 → 成凯昕灯具), never cut inside a word."""
    for prefix in ("中山市", "中山"):
        name = name.removeprefix(prefix)
    for suffix in ("股份有限公司", "有限责任公司", "有限公司", "公司"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name


@transaction.atomic
def generate_programme(seed: int = 2024, stdout: Any = None) -> dict[str, int]:
    """Build the running pilot (skipped when it is already there). Returns counts by project state."""
    def say(text: str) -> None:
        _say(stdout, text)

    programme = ensure_programme()
    if present():
        say(f"  试点计划「{programme.name}」已有示范数据，跳过")
        return {}
    rng = random.Random(f"programme-{seed}")
    _ensure_funds(programme)
    providers = _providers(rng)
    expert = _expert()
    listings = _listings(programme, rng, say)
    from shuzhuan.registry import demo as registry_demo

    demo_firm = registry_demo.pick_demo_enterprise()
    ordered = sorted(listings, key=lambda listing: (listing.enterprise_id != getattr(demo_firm, "pk", None), rng.random()))
    targets = [state for state, count in PLAN for _ in range(count)]
    # the demo enterprise account's firm gets a paid project when it is listed
    if ordered and demo_firm is not None and ordered[0].enterprise_id == demo_firm.pk:
        targets.remove(wf.PAID)
        targets.insert(0, wf.PAID)
    counts: Counter[str] = Counter()
    to_batch: list[tuple[Project, str]] = []
    for listing, target in zip(ordered, targets, strict=False):
        title = f"{short_firm_name(listing.enterprise.organisation.name)}{rng.choice(TITLES)}"
        project = services.create_project(None, listing, title)
        final = target
        if target in (wf.RETURNED, wf.REJECTED, wf.WITHDRAWN):
            before = {wf.RETURNED: wf.TOWN_REVIEWED, wf.REJECTED: wf.EXPERT_REVIEWED, wf.WITHDRAWN: wf.IN_PROGRESS}[target]
            project = _drive(project, before, rng, providers, expert)
            action, reason = {wf.RETURNED: ("return", "发票及付款证明不完整，请补正"),
                              wf.REJECTED: ("reject", "改造内容与合同备案不一致"),
                              wf.WITHDRAWN: ("withdraw", "企业经营调整，主动撤回")}[target]
            project = services.transition(None, project, action, reason)
        elif target in (wf.IN_BATCH, wf.PAID):
            project = _drive(project, wf.CITY_APPROVED, rng, providers, expert)
            to_batch.append((project, target))
        else:
            project = _drive(project, target, rng, providers, expert)
        counts[final] += 1
    today = timezone.localdate()
    paid = [p.pk for p, t in to_batch if t == wf.PAID]
    if paid:
        batch = services.build_batch(None, programme, month=services.month_start(today) - dt.timedelta(days=1),
                                     project_ids=paid)
        services.advance_batch(None, batch)
        services.advance_batch(None, batch)
        services.export_batch(None, batch)
        services.advance_batch(None, batch)
        for project in Project.objects.filter(batch=batch).order_by("pk"):
            if project.provider_id and rng.random() < 0.75:
                rating = Satisfaction(project=project, provider_id=project.provider_id, score=rng.choices((5, 4, 3, 2), (5, 4, 2, 1))[0],
                                      comment=rng.choice(("响应及时，改造效果明显", "实施周期略长", "培训到位")))
                rating.save()
    in_batch = [p.pk for p, t in to_batch if t == wf.IN_BATCH]
    if in_batch:
        services.build_batch(None, programme, month=today, project_ids=in_batch)
    # some deadlines have passed: overdue items on the dashboards
    late = list(Project.objects.filter(programme=programme, state__in=[wf.CONTRACT_FILED, wf.IN_PROGRESS])
                .order_by("pk").values_list("pk", flat=True)[:5])
    Project.objects.filter(pk__in=late).update(finish_due=today - dt.timedelta(days=rng.randint(3, 20)))
    late = list(Project.objects.filter(programme=programme, state=wf.COMPLETED).order_by("pk").values_list("pk", flat=True)[:2])
    Project.objects.filter(pk__in=late).update(acceptance_due=today - dt.timedelta(days=rng.randint(3, 20)))
    services.remind_deadlines(today)
    say(f"  改造项目 {sum(counts.values())} 个：" + "、".join(f"{wf.STATES[s]} {n}" for s, n in counts.items()))
    say(f"  兑现批次：已兑现 1 批（{len(paid)} 个项目），编制中 1 批（{len(in_batch)} 个项目）")
    return dict(counts)


@transaction.atomic
def reset_programme() -> int:
    """Remove the demo pilot's workflow records (before the assessments and registry are reset)."""
    from shuzhuan.assessment.demo import delete_assessments

    programme = Programme.objects.filter(code=CODE).first()
    if programme is None:
        return 0
    projects = Project.objects.filter(programme=programme)
    ratings = list(projects.exclude(post_assessment__isnull=True).values_list("post_assessment_id", flat=True))
    count = projects.count()
    Satisfaction.objects.filter(project__in=projects).delete()
    for model in (ExpertOpinion, ProjectDocument, Milestone, InvestmentItem):
        model.objects.filter(project__in=projects).delete()
    projects.update(batch=None, post_assessment=None, state=wf.WITHDRAWN)
    projects.delete()
    PayoutBatch.objects.filter(programme=programme).delete()
    Listing.objects.filter(programme=programme).delete()
    delete_assessments(ratings)
    _delete_fallback_firms()
    return count


FALLBACK_PREFIX = "91442000PY"  # make_uscc("442000", "PY…"): the fallback firms' codes


def _delete_fallback_firms() -> None:
    from shuzhuan.assessment.demo import delete_for_organisations
    from shuzhuan.core.models import AuditEntry, Organisation
    from shuzhuan.registry.models import Enterprise

    orgs = Organisation.objects.filter(uscc__startswith=FALLBACK_PREFIX)
    delete_for_organisations(orgs)
    AuditEntry.objects.filter(organisation__in=orgs).delete()
    Enterprise.objects.filter(organisation__in=orgs).delete()
    orgs.delete()
