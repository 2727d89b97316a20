"""The demo city's supply resource pool: fictional providers with their admission history, and the
published solutions and products of the pool (issue 4 item 9).

`generate_pool(seed)` is deterministic for a seed (one `random.Random(seed)`, fixed order): the
same names, codes, scores and offerings every time; only the dates of the notices still running are
taken from the day it runs, so the public notice page has something to show. The default
calibration in `data/demo_pool.yaml` gives exactly the seed's figures (DESIGN decision 10): 103
providers in the pool, 82 published solutions in 3 categories, 287 products and services.

Demo providers are recognised by their USCC prefix; `delete_demo_pool` removes them (and their
applications, reviews, offerings and sanctions by cascade) and the demo expert accounts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from shuzhuan.core import audit
from shuzhuan.core.models import AuditEntry, Organisation, OrganisationKind, Role, Town, User
from shuzhuan.marketplace.models import (
    IN_POOL_STATUSES,
    ApplicationStatus,
    ExpertReview,
    NoticeObjection,
    Offering,
    OfferingKind,
    OfferingStatus,
    PoolApplication,
    PoolSanction,
    PoolStatus,
    ProviderProfile,
    SanctionKind,
    SolutionCategory,
)
from shuzhuan.marketplace.services.pool import pool_rules
from shuzhuan.registry.domain import USCC_ALPHABET, make_uscc

CALIBRATION = Path(__file__).resolve().parent.parent / "data" / "demo_pool.yaml"
EXPERT_PREFIX = "demo-pool-expert-"
EXPERT_NAMES = ["评审专家甲", "评审专家乙", "评审专家丙", "评审专家丁", "评审专家戊", "评审专家己", "评审专家庚", "评审专家辛"]


@cache
def calibration() -> dict[str, Any]:
    with CALIBRATION.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def uscc_prefix() -> str:
    u = calibration()["uscc"]
    return f"91{u['division']}{u['org_prefix']}"


def _code(i: int) -> str:
    out = []
    for _ in range(6):
        i, r = divmod(i, 31)
        out.append(USCC_ALPHABET[r])
    return "".join(reversed(out))


def demo_providers():
    return Organisation.objects.filter(kind=OrganisationKind.PROVIDER, uscc__startswith=uscc_prefix())


def pool_present() -> bool:
    return demo_providers().exists()


@transaction.atomic
def delete_demo_pool() -> int:
    orgs = demo_providers()
    ids = list(orgs.values_list("pk", flat=True))
    Offering.objects.filter(provider_id__in=ids).delete()
    AuditEntry.objects.filter(organisation_id__in=ids).delete()
    ProviderProfile.objects.filter(pk__in=ids).delete()
    User.objects.filter(organisation_id__in=ids).delete()  # e.g. the demo provider account
    orgs.delete()
    User.objects.filter(username__startswith=EXPERT_PREFIX).delete()
    return len(ids)


def demo_account_provider() -> Organisation | None:
    """The organisation behind the demo provider account: the busiest provider of the demo pool."""
    from django.db.models import Count

    profile = (ProviderProfile.objects.filter(pk__in=demo_providers().values("pk"), pool_status__in=IN_POOL_STATUSES)
               .annotate(n=Count("contact_requests")).order_by("-n", "pk").select_related("organisation").first())
    return profile.organisation if profile else None


@dataclass
class Result:
    providers: int
    in_pool: int
    solutions: Counter
    products: Counter


def _weighted(rng: random.Random, weights: dict) -> Any:
    items = list(weights)
    return rng.choices(items, weights=[float(weights[k]) for k in items])[0]


def _price(rng: random.Random, low: int, high: int) -> tuple[Decimal, Decimal]:
    a = rng.uniform(low, (low + high) / 2)
    b = rng.uniform(max(a * 1.3, (low + high) / 2), high)
    return Decimal(int(a / 100) * 100).quantize(Decimal("0.01")), Decimal(int(b / 100) * 100).quantize(Decimal("0.01"))


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def generate_pool(seed: int = 2024, stdout=None) -> Result:
    """Create the demo pool; returns the counts (the caller checks `pool_present()` first)."""
    cal = calibration()
    rng = random.Random(f"pool-{seed}")
    say = (lambda text: stdout.write(text + "\n")) if stdout is not None else (lambda text: None)
    with transaction.atomic():
        result = _generate(cal, rng, say)
    say(f"  资源池：服务商 {result.providers} 家（在池 {result.in_pool} 家）；已发布解决方案 "
        f"{sum(result.solutions.values())} 套（{len(result.solutions)} 类）、产品与服务 {sum(result.products.values())} 项")
    return result


def _generate(cal: dict, rng: random.Random, say) -> Result:
    rules = pool_rules()
    names = cal["names"]
    counts = cal["providers"]
    towns = {t.short_name: t for t in Town.objects.filter(short_name__in=list(cal["towns"]))}
    town_weights = {k: v for k, v in cal["towns"].items() if k in towns}
    categories = {c.code: c for c in SolutionCategory.objects.all()}

    # experts (review history only: no usable password)
    experts = []
    for i in range(int(cal["experts"])):
        user, _created = User.objects.get_or_create(
            username=f"{EXPERT_PREFIX}{i + 1:02d}",
            defaults={"role": Role.EXPERT, "display_name": EXPERT_NAMES[i % len(EXPERT_NAMES)], "is_active": True})
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        experts.append(user)

    # names: a seeded permutation of the trade-name grid, reserved ones left out
    trade = [a + b for a, b in itertools.product(names["first"], names["second"]) if a + b not in set(names["reserved"])]
    rng.shuffle(trade)
    plan = ([PoolStatus.IN_POOL] * counts["in_pool"] + [PoolStatus.WARNED] * counts["warned"]
            + [PoolStatus.REMOVED] * counts["removed"] + ["in_review"] * counts["in_review"]
            + ["notice"] * counts["in_notice"])
    if len(plan) > len(trade):
        raise ValueError(f"demo pool: {len(plan)} providers but only {len(trade)} trade names")
    start, end = (dt.date.fromisoformat(str(d)) for d in cal["admitted_between"])
    today = timezone.localdate()
    sectors = list(cal["industries"])

    orgs = [Organisation(uscc=make_uscc(cal["uscc"]["division"], cal["uscc"]["org_prefix"] + _code(i + 1)),
                         name=f"{_weighted(rng, names['prefixes'])}{trade[i]}{_weighted(rng, names['suffixes'])}",
                         kind=OrganisationKind.PROVIDER, created_at=_aware(start - dt.timedelta(days=30)))
            for i in range(len(plan))]
    Organisation.objects.bulk_create(orgs)
    orgs = list(Organisation.objects.filter(uscc__in=[o.uscc for o in orgs]).order_by("uscc"))

    profiles, apps_meta = [], []
    for org, state in zip(orgs, plan, strict=True):
        staff = int(rng.triangular(8, 600, 40))
        sector = rng.choice(sectors)
        town = towns[_weighted(rng, town_weights)]
        admitted = state in (PoolStatus.IN_POOL, PoolStatus.WARNED, PoolStatus.REMOVED)
        decided = _date_between(rng, start, end) if admitted else None
        score = Decimal(rng.randint(7000, 9600)) / 100
        profile = ProviderProfile(
            organisation=org, town=town, address=f"中山市{town.name}{rng.choice(['兴业', '科技', '创业', '工业', '港城'])}路 {rng.randint(1, 188)} 号",
            introduction=f"扎根中山，专注{sector}等行业中小企业的数字化改造，"
                         f"提供“小快轻准”的软件产品与实施服务。",
            qualifications=rng.choice(["高新技术企业；ISO 9001；ISO/IEC 27001", "软件企业；CMMI 3 级", "高新技术企业；两化融合管理体系贯标咨询",
                                       "专精特新中小企业；ISO 9001"]),
            staff_count=staff, engineer_count=max(2, int(staff * rng.uniform(0.3, 0.7))),
            contact_name=f"{rng.choice(names['surnames'])}{rng.choice(['工', '经理', '总'])}",
            contact_phone=f"0760-8{rng.randint(0, 9999999):07d}",
            pool_status=state if admitted else PoolStatus.APPLICANT,
            admitted_on=None, admission_score=score if admitted else None,
        )
        profiles.append(profile)
        apps_meta.append((state, decided, score, sector))
    ProviderProfile.objects.bulk_create(profiles)

    # applications with expert reviews, notice periods, and the audit trail
    applications, reviews, entries = [], [], []
    for profile, (state, decided, score, _sector) in zip(profiles, apps_meta, strict=True):
        if state in ("in_review", "notice"):
            submitted = today - dt.timedelta(days=rng.randint(8, 25))
        else:
            submitted = decided - dt.timedelta(days=rng.randint(10, 30))
        app = PoolApplication(provider=profile, qualifications=profile.qualifications,
                              cases=f"近三年为 {rng.randint(6, 60)} 家制造业中小企业实施数字化改造。",
                              staff=f"本地服务团队 {max(3, profile.engineer_count // 3)} 人，可驻场实施。",
                              submitted_at=_aware(submitted), created_at=_aware(submitted - dt.timedelta(days=3)))
        if state == "in_review":
            app.status = ApplicationStatus.IN_REVIEW
        elif state == "notice":
            app.status, app.score = ApplicationStatus.NOTICE, score
            app.notice_start = today
            app.notice_end = rules.calendar.period_end(today, rules.notice_workdays)
        else:
            app.status, app.score = ApplicationStatus.ADMITTED, score
            app.notice_start = decided
            app.notice_end = rules.calendar.period_end(decided, rules.notice_workdays)
            app.decided_at = _aware(app.notice_end)
            profile.admitted_on = app.notice_end
        applications.append(app)
    PoolApplication.objects.bulk_create(applications)
    ProviderProfile.objects.bulk_update([p for p in profiles if p.admitted_on], ["admitted_on"])

    for app, (state, _decided, score, _sector) in zip(applications, apps_meta, strict=True):
        chosen = rng.sample(experts, k=min(int(cal["experts_per_application"]), len(experts)))
        for n, expert in enumerate(chosen):
            done = state != "in_review" or n == 0
            s = max(Decimal(0), min(Decimal(100), score + Decimal(rng.randint(-300, 300)) / 100)) if done else None
            reviews.append(ExpertReview(application=app, expert=expert, assigned_at=app.submitted_at + dt.timedelta(days=2),
                                        score=s, opinion="材料齐全，案例真实，本地服务能力较强。" if done else "",
                                        submitted_at=app.submitted_at + dt.timedelta(days=5) if done else None))
        if state != "in_review":  # the stored score is the mean of the experts' scores
            mine = [r.score for r in reviews[-len(chosen):]]
            app.score = (sum(mine, Decimal(0)) / len(mine)).quantize(Decimal("0.01"))
        org_id = app.provider.organisation_id
        entries.append(_dated(audit.entry(None, "pool.submit", app, "提交入池申请（示范数据）", organisation=org_id), app.submitted_at))
        if app.status in (ApplicationStatus.ADMITTED, ApplicationStatus.NOTICE):
            last = app.notice_end - dt.timedelta(days=1)
            entries.append(_dated(audit.entry(None, "pool.notice", app, f"专家平均分 {app.score} 分，进入公示：{app.notice_start:%Y-%m-%d} 至 {last:%Y-%m-%d}",
                                              organisation=org_id), _aware(app.notice_start, 9)))
        if app.status == ApplicationStatus.ADMITTED:
            entries.append(_dated(audit.entry(None, "pool.admit", app.provider, f"公示期满，确认入池（评审得分 {app.score} 分）",
                                              organisation=org_id), _aware(app.notice_end, 11)))
    ExpertReview.objects.bulk_create(reviews)
    PoolApplication.objects.bulk_update(applications, ["score"])
    for profile, app in zip(profiles, applications, strict=True):
        if profile.admission_score is not None:
            profile.admission_score = app.score
    ProviderProfile.objects.bulk_update(profiles, ["admission_score"])
    for app in applications:
        if app.status == ApplicationStatus.NOTICE and rng.random() < 0.5:
            NoticeObjection.objects.create(application=app, text="该公司案例中的客户数量存疑，请核实。", contact="")

    # sanctions
    sanctions = []
    for profile, (state, decided, _s, _sector) in zip(profiles, apps_meta, strict=True):
        if state == PoolStatus.WARNED:
            sanctions.append(PoolSanction(provider=profile, kind=SanctionKind.WARNING, at=_aware(min(today, decided + dt.timedelta(days=300))),
                                          reason="一个改造项目逾期 2 个月未验收，予以警示。"))
        elif state == PoolStatus.REMOVED:
            sanctions.append(PoolSanction(provider=profile, kind=SanctionKind.REMOVAL, at=_aware(min(today, decided + dt.timedelta(days=400))),
                                          reason="年度考核中两家企业满意度评价为不满意，且未按期整改，予以出池。"))
    PoolSanction.objects.bulk_create(sanctions)
    for s in sanctions:
        entries.append(_dated(audit.entry(None, f"pool.{s.kind}", s.provider, f"{SanctionKind(s.kind).label}（示范数据）",
                                          organisation=s.provider.organisation_id, reason=s.reason), s.at))
    AuditEntry.objects.bulk_create(entries)

    # offerings: published counts exactly as calibrated, spread over the providers in the pool
    in_pool = [(p, meta[3]) for p, meta in zip(profiles, apps_meta, strict=True)
               if p.pool_status in (PoolStatus.IN_POOL, PoolStatus.WARNED)]
    weights = [p.staff_count ** 0.5 for p, _s in in_pool]
    offerings, solutions, products = [], Counter(), Counter()
    used: set[str] = set()

    def owner(i: int):
        # every provider in the pool gets at least one offering, the rest by size
        return in_pool[i] if i < len(in_pool) else rng.choices(in_pool, weights=weights)[0]

    def build(kind, stem, provider, sector, status, category=None, product_type=""):
        name_t, scenarios, low, high, deployment, days = stem
        base = name_t.format(sector=sector)
        name = base
        for edition in [""] + list(cal["editions"]):
            name = f"{base}（{edition}）" if edition else base
            if name not in used:
                break
        trade = provider.organisation.name.removeprefix("中山市").removeprefix("中山")[:2]
        k = 1
        while name in used:
            name = f"{base}（{trade}）" if k == 1 else f"{base}（{trade}{k}）"
            k += 1
        used.add(name)
        price_min, price_max = _price(rng, int(low), int(high))
        industries = list(cal["industries"][sector]) if category == "industry" or rng.random() < 0.35 else []
        town = provider.town.short_name if provider.town else "中山"
        effect = rng.choice(cal["effects"])
        listed = min(today, (provider.admitted_on or today) + dt.timedelta(days=rng.randint(0, 240)))
        created = _aware(listed, 9 + rng.randint(0, 8))
        return Offering(
            provider=provider, kind=kind, category=categories.get(category) if category else None, product_type=product_type,
            name=name[:120], summary=f"面向{sector if industries else '制造业'}中小企业的{base}，{rng.choice(['按年订阅', '一次性买断', '按模块选配'])}。",
            description=f"适用场景：{'、'.join(scenarios)}。支持{deployment_label(deployment)}，{int(days)} 天内上线；提供培训与一年免费运维。",
            price_min=price_min, price_max=price_max,
            pilot_discount=Decimal(rng.choice([5, 8, 10, 12, 15, 20, 25, 30])) if rng.random() < 0.6 else None,
            deployment=deployment, deployment_days=max(3, int(int(days) * rng.uniform(0.6, 1.4))),
            scenarios=list(scenarios), industries=industries,
            min_level=rng.choice([0, 0, 1, 1, 2]), max_level=rng.choice([2, 3, 3, 4, 4]),
            case_references=cal["cases"][0].format(town=town, sector=sector, effect=effect),
            status=status, created_at=created, updated_at=created,
        )

    plan_offerings = ([(OfferingKind.SOLUTION, code, "") for code, n in cal["solutions"].items() for _ in range(int(n))]
                      + [(OfferingKind.PRODUCT, None, t) for t, n in cal["products"].items() for _ in range(int(n))])
    order = list(range(len(plan_offerings)))
    rng.shuffle(order)
    for i, idx in enumerate(order):
        kind, category, ptype = plan_offerings[idx]
        provider, sector = owner(i)
        stems = cal["solution_stems"][category] if kind == OfferingKind.SOLUTION else cal["product_stems"][ptype]
        offerings.append(build(kind, rng.choice(stems), provider, sector, OfferingStatus.PUBLISHED, category, ptype))
        if kind == OfferingKind.SOLUTION:
            solutions[category] += 1
        else:
            products[ptype] += 1
    for status, n in cal["unpublished"].items():
        for _ in range(int(n)):
            provider, sector = rng.choice(in_pool)
            ptype = rng.choice(list(cal["product_stems"]))
            offerings.append(build(OfferingKind.PRODUCT, rng.choice(cal["product_stems"][ptype]), provider, sector, status,
                                   None, ptype))
    Offering.objects.bulk_create(offerings)
    return Result(providers=len(profiles), in_pool=len(in_pool), solutions=solutions, products=products)


def _dated(entry: AuditEntry, at: dt.datetime) -> AuditEntry:
    entry.at = at
    return entry


def deployment_label(code: str) -> str:
    return {"saas": "SaaS 云服务", "on_premises": "本地部署", "hybrid": "混合部署"}.get(code, code)
