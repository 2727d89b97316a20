"""Use cases of supply–demand matching: needs, recommendations, contact requests (对接), the funnel,
consortia and chain leaders. Each state change is one transaction with an audit entry on the
enterprise's timeline."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment import results as assessment_results
from shuzhuan.core import audit
from shuzhuan.core.forms import column_max
from shuzhuan.core.models import Role, is_officer
from shuzhuan.marketplace.domain import progress
from shuzhuan.marketplace.domain.classify import SCENARIO_CODES
from shuzhuan.marketplace.domain.matching import (
    EnterpriseFacts,
    Matcher,
    OfferingFacts,
    Scored,
    Weights,
    scenario_gaps,
)
from shuzhuan.marketplace.models import (
    ChainLink,
    Consortium,
    ContactRequest,
    ContactStatus,
    Need,
    NeedSource,
    NeedStatus,
    Offering,
)
from shuzhuan.registry.models import Enterprise, IndustryClass

if TYPE_CHECKING:  # a type only: results are read through shuzhuan.assessment.results
    from shuzhuan.assessment.models import Assessment

WEIGHTS_FILE = Path(__file__).resolve().parent.parent / "data" / "matching_weights.yaml"
OPEN_NEED_STATUSES = (NeedStatus.OPEN, NeedStatus.MATCHING)
ACTIVE_CONTACT = (ContactStatus.REQUESTED, ContactStatus.CONTACTED)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ContactStatus.REQUESTED: (ContactStatus.CONTACTED, ContactStatus.SIGNED, ContactStatus.DECLINED),
    ContactStatus.CONTACTED: (ContactStatus.SIGNED, ContactStatus.DECLINED),
    ContactStatus.SIGNED: (),
    ContactStatus.DECLINED: (),
}


class MatchError(Exception):
    """A use case refused for a reason the user can act on (Chinese message)."""


# --- the matcher and its inputs -------------------------------------------------------------------
def load_weights(path: Path = WEIGHTS_FILE) -> Weights:
    return Weights.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def weights() -> Weights:
    return load_weights()


def scenario_names() -> dict[str, str]:
    return {s.code: s.name for s in indicator_sets.load().scenarios}


@cache
def _industry_names() -> dict[str, str]:
    return dict(IndustryClass.objects.filter(level__in=("division", "group", "class")).values_list("code", "name"))


def matcher(with_industry_names: bool = True) -> Matcher:
    s = indicator_sets.load()
    levels = dict(enumerate(s.level_names))
    return Matcher(
        weights(), scenario_names(), frozenset(x.code for x in s.scenarios if x.mandatory), levels,
        _industry_names() if with_industry_names else {},
    )


def gate_milli(assessment: Assessment) -> int | None:
    """The level rule's gate score of a stored result, in milli-points."""
    s = indicator_sets.load(assessment.indicator_set)
    dims = assessment.dimensions or {}
    if s.level_rule.score_dimensions and all(d in dims for d in s.level_rule.score_dimensions):
        return int(sum(Decimal(dims[d]) for d in s.level_rule.score_dimensions) * 1000)
    return int(assessment.score * 1000) if assessment.score is not None else None


def facts_from(enterprise: Enterprise, assessment: Assessment | None, needs: Sequence[Need]) -> EnterpriseFacts:
    """The enterprise as the matcher sees it: the latest official result and the given needs."""
    level = assessment.level if assessment is not None else None
    gaps = None
    if assessment is not None and assessment.scenarios and level is not None:
        try:
            s = indicator_sets.load(assessment.indicator_set)
        except indicator_sets.UnknownIndicatorSet:
            s = None
        if s is not None:
            gaps = scenario_gaps(s, level, assessment.scenarios, gate_milli(assessment))
    scenarios = frozenset(c for n in needs for c in (n.scenarios or ()) if c in SCENARIO_CODES)
    budgets = [n.budget for n in needs if n.budget is not None]
    return EnterpriseFacts(
        industry=enterprise.industry_id or "", town_id=enterprise.town_id, level=level, gaps=gaps,
        need_scenarios=scenarios, budget=max(budgets) if budgets else None,
        size_class=enterprise.size_class or "", revenue=enterprise.revenue,
    )


def official_for(enterprise: Enterprise) -> Assessment | None:
    return assessment_results.official_for(enterprise.pk)


def open_needs(enterprise: Enterprise) -> list[Need]:
    return list(enterprise.needs.filter(status__in=OPEN_NEED_STATUSES))


def public_offerings() -> list[OfferingFacts]:
    """The published offerings of providers in the pool, with stars and signed contracts by town (2 queries)."""
    deliveries: dict[int, dict[int, int]] = defaultdict(dict)
    signed = (ContactRequest.objects.filter(status=ContactStatus.SIGNED)
              .values_list("provider_id", "enterprise__town_id").annotate(n=Count("pk")).order_by())
    for provider_id, town_id, n in signed:
        deliveries[provider_id][town_id] = n
    rows = Offering.objects.public().values_list(
        "pk", "scenarios", "industries", "min_level", "max_level", "price_min", "pilot_discount",
        "provider_id", "provider__town_id", "provider__stars",
    ).order_by("pk")
    return [
        OfferingFacts(
            id=pk, scenarios=frozenset(scen or ()), industries=tuple(str(i) for i in (ind or ())),
            min_level=lo, max_level=hi, price_min=pmin, pilot_discount=disc, provider_id=prov,
            provider_town_id=town, stars=stars, deliveries=deliveries.get(prov, {}),
        )
        for pk, scen, ind, lo, hi, pmin, disc, prov, town, stars in rows
    ]


@dataclass
class Recommendation:
    rank: int
    scored: Scored
    offering: Offering


@dataclass
class Recommendations:
    facts: EnterpriseFacts
    assessment: Assessment | None
    items: list[Recommendation]
    candidates: int
    weights: Weights


def rank_for(enterprise: Enterprise, need: Need | None = None, *, top: int | None = None,
             explain: bool = True) -> tuple[EnterpriseFacts, Assessment | None, list[Scored], int]:
    """The single path: one enterprise (for one need, or all its open needs)."""
    assessment = official_for(enterprise)
    needs = [need] if need is not None else open_needs(enterprise)
    facts = facts_from(enterprise, assessment, needs)
    offerings = public_offerings()
    m = matcher(with_industry_names=explain)
    ranked = m.rank(facts, offerings, top=top, explain=explain)
    candidates = sum(1 for o in offerings if m.is_candidate(facts, o))
    return facts, assessment, ranked, candidates


def recommend(enterprise: Enterprise, need: Need | None = None, top: int | None = None) -> Recommendations:
    facts, assessment, ranked, candidates = rank_for(enterprise, need, top=top)
    by_id = Offering.objects.select_related("provider__organisation", "provider__town", "category").in_bulk(
        [s.offering_id for s in ranked])
    items = [Recommendation(i, s, by_id[s.offering_id]) for i, s in enumerate(ranked, start=1) if s.offering_id in by_id]
    return Recommendations(facts, assessment, items, candidates, weights())


# --- needs ----------------------------------------------------------------------------------------
def classify(text: str, top: int = 3) -> list[dict[str, Any]]:
    from shuzhuan.marketplace.needs import classifier

    model = classifier()
    return [
        {"code": m.code, "name": model.lexicon.scenarios[m.code].name, "score": str(m.score), "why": list(m.why)}
        for m in model.classify(text, top=top)
    ]


@transaction.atomic
def create_need(actor: Any, enterprise: Enterprise, text: str, scenarios: Sequence[str] | None,
                budget: Decimal | None) -> Need:
    """An enterprise's need in its own words; the classifier's reading is kept beside the chosen scenarios."""
    if budget is not None and not Decimal("0") < budget <= column_max(Need, "budget"):
        raise MatchError(gettext("预算应大于 0 且不超过 %(max)s 元") % {"max": f"{column_max(Need, 'budget'):,.2f}"})
    classification = classify(text)
    chosen = [c for c in (scenarios or ()) if c in SCENARIO_CODES] or [c["code"] for c in classification[:2]]
    need = Need.objects.create(
        enterprise=enterprise, text=text.strip(), scenarios=sorted(set(chosen)), classification=classification,
        budget=budget, source=NeedSource.TYPED, created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(actor, "need_create", need, f"发布需求：{need.text[:60]}", organisation=enterprise.organisation_id,
                 changes={"scenarios": [None, need.scenarios], "budget": [None, str(budget) if budget is not None else None]})
    return need


@transaction.atomic
def derive_needs(actor: Any, enterprise: Enterprise, limit: int | None = None) -> tuple[list[Need], str]:
    """Needs from the latest official assessment's gaps: the scenarios still missing for the next
    level, 约束性 first and closest to the required level first. Existing open diagnosis needs for a
    scenario are not repeated. Returns (new needs, an explanation)."""
    assessment = official_for(enterprise)
    if assessment is None or assessment.level is None:
        raise MatchError(_("本企业还没有正式的评测结果：请先完成自评测或现场评定。"))
    s = indicator_sets.load(assessment.indicator_set)
    gaps = scenario_gaps(s, assessment.level, assessment.scenarios or {}, gate_milli(assessment))
    if gaps is None or not assessment.scenarios:
        raise MatchError(_("该评测结果没有业务场景等级，无法推导场景差距。"))
    levels = assessment.scenarios
    ordered = sorted(gaps.codes, key=lambda c: (c not in gaps.mandatory, -(int(levels.get(c) or 0)), c))
    existing = set()
    for need in enterprise.needs.filter(source=NeedSource.DIAGNOSIS, status__in=OPEN_NEED_STATUSES):
        existing.update(need.scenarios)
    names = scenario_names()
    target = s.level_name(gaps.target)
    required = s.level_name(gaps.required)
    created = []
    for code in ordered:
        if code in existing:
            continue
        if limit is not None and len(created) >= limit:
            break
        now_level = int(levels.get(code) or 0)
        kind = "约束性场景" if code in gaps.mandatory else "场景"
        text = (f"诊断差距：{code} {names.get(code, '')}（{kind}）目前为{s.level_name(now_level) if now_level else '未实施'}，"
                f"达到{target}需提升到{required}及以上。")
        created.append(Need(enterprise=enterprise, text=text, scenarios=[code], source=NeedSource.DIAGNOSIS,
                            classification=[], created_by=actor if getattr(actor, "pk", None) else None))
    Need.objects.bulk_create(created)
    if created:
        audit.record(actor, "need_derive", enterprise, f"根据诊断差距生成 {len(created)} 条需求（{gaps.summary or target}）",
                     organisation=enterprise.organisation_id,
                     changes={"scenarios": [None, [n.scenarios[0] for n in created]]})
    return created, gaps.summary


@transaction.atomic
def close_need(actor: Any, need: Need) -> None:
    if need.status == NeedStatus.CLOSED:
        return
    old = need.status
    need.status = NeedStatus.CLOSED
    need.save(update_fields=["status"])
    audit.record(actor, "need_close", need, f"关闭需求：{need.text[:60]}", organisation=need.enterprise_id,
                 changes={"status": [old, need.status]})


# --- contact requests (对接) -----------------------------------------------------------------------
@transaction.atomic
def request_contact(actor: Any, enterprise: Enterprise, offering: Offering, need: Need | None,
                    message: str = "") -> tuple[ContactRequest, bool]:
    """The enterprise asks the offering's provider to contact it. (request, created): an active
    request for the same offering is not repeated."""
    if need is not None and need.enterprise_id != enterprise.pk:
        raise MatchError(_("该需求不属于本企业。"))
    existing = ContactRequest.objects.filter(enterprise=enterprise, offering=offering, status__in=ACTIVE_CONTACT).first()
    if existing is not None:
        return existing, False
    contact = ContactRequest.objects.create(
        enterprise=enterprise, need=need, offering=offering, provider_id=offering.provider_id, message=message.strip(),
    )
    if need is not None and need.status == NeedStatus.OPEN:
        need.status = NeedStatus.MATCHING
        need.save(update_fields=["status"])
    provider_name = offering.provider.organisation.name
    audit.record(actor, "contact_request", contact, f"请服务商联系：{provider_name}（{offering.name}）",
                 organisation=enterprise.organisation_id, changes={"status": [None, contact.status]})
    return contact, True


@transaction.atomic
def update_contact(actor: Any, contact: ContactRequest, status: str, outcome: str) -> ContactRequest:
    """The provider records progress: contacted → signed / declined (guarded transitions)."""
    contact = ContactRequest.objects.select_for_update(of=("self",)).select_related("need").get(pk=contact.pk)
    if status not in TRANSITIONS.get(contact.status, ()):
        old = ContactStatus(contact.status).label
        new = ContactStatus(status).label if status in ContactStatus.values else status
        raise MatchError(_("对接状态不能从“%(old)s”改为“%(new)s”。") % {"old": old, "new": new})
    old = contact.status
    contact.status = status
    contact.outcome = outcome.strip()
    contact.updated_at = timezone.now()
    contact.save(update_fields=["status", "outcome", "updated_at"])
    need = contact.need
    if need is not None and need.status != NeedStatus.CLOSED:
        if status == ContactStatus.SIGNED:
            need.status = NeedStatus.SIGNED
        elif status == ContactStatus.DECLINED and need.status == NeedStatus.MATCHING and not need.contact_requests.filter(
                status__in=(*ACTIVE_CONTACT, ContactStatus.SIGNED)).exists():
            need.status = NeedStatus.OPEN
        need.save(update_fields=["status"])
    label = ContactStatus(status).label
    audit.record(actor, "contact_update", contact, f"对接进展：{label}" + (f"（{contact.outcome[:60]}）" if contact.outcome else ""),
                 organisation=contact.enterprise_id, changes={"status": [old, status]}, reason=contact.outcome)
    return contact


# --- the funnel (需求 → 对接 → 签约) ---------------------------------------------------------------
FUNNEL_STAGES: tuple[tuple[str, str], ...] = (
    ("needs", "需求"), ("requested", "已发起对接"), ("contacted", "已联系"), ("signed", "已签约"),
)


@dataclass
class FunnelRow:
    key: str
    label: str
    needs: int = 0
    requested: int = 0
    contacted: int = 0
    signed: int = 0

    def add(self, flags: tuple[bool, bool, bool]) -> None:
        self.needs += 1
        self.requested += flags[0]
        self.contacted += flags[1]
        self.signed += flags[2]

    @property
    def values(self) -> list[int]:
        return [self.needs, self.requested, self.contacted, self.signed]

    @property
    def signed_rate(self) -> str:
        return f"{100 * self.signed / self.needs:.1f}%" if self.needs else "—"

    @property
    def request_rate(self) -> str:
        return f"{100 * self.requested / self.needs:.1f}%" if self.needs else "—"


@dataclass
class Funnel:
    total: FunnelRow
    by_town: list[FunnelRow]
    by_scenario: list[FunnelRow]
    requests: dict[str, int]


def funnel(needs: QuerySet[Need]) -> Funnel:
    """Needs counted once per stage they reached: a contact request, one contacted (or further), one signed.

    By scenario a need counts under each of its scenarios. Two queries."""
    reqs = ContactRequest.objects.filter(need=OuterRef("pk"))
    rows = needs.annotate(
        has_req=Exists(reqs),
        has_contact=Exists(reqs.filter(status__in=(ContactStatus.CONTACTED, ContactStatus.SIGNED))),
        has_signed=Exists(reqs.filter(status=ContactStatus.SIGNED)),
    ).values_list("enterprise__town__short_name", "enterprise__town__code", "scenarios", "has_req", "has_contact", "has_signed")
    total = FunnelRow("all", "合计")
    towns: dict[str, FunnelRow] = {}
    names = scenario_names()
    scenarios = {c: FunnelRow(c, f"{c} {names.get(c, '')}") for c in SCENARIO_CODES}
    for town, code, scen, r, c, s in rows.iterator(chunk_size=5000):
        flags = (bool(r), bool(c), bool(s))
        total.add(flags)
        towns.setdefault(code, FunnelRow(code, town)).add(flags)
        for sc in set(scen or ()):
            if sc in scenarios:
                scenarios[sc].add(flags)
    request_counts = dict(
        ContactRequest.objects.filter(need__in=needs).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return Funnel(total, [towns[k] for k in sorted(towns)], [r for r in scenarios.values() if r.needs],
                  {k: request_counts.get(k, 0) for k in ContactStatus.values})


def funnel_workbook(f: Funnel, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from shuzhuan.core.xlsx import append_row

    wb = Workbook()
    header = ["", "需求数", "已发起对接", "已联系", "已签约", "签约率"]
    for title, rows in (("按镇街", [*f.by_town, f.total]), ("按场景", f.by_scenario)):
        ws = wb.create_sheet(title)
        append_row(ws, [title.replace("按", ""), *header[1:]])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(ws, [row.label, *row.values, row.signed_rate])
        ws.column_dimensions["A"].width = 22
    del wb["Sheet"]
    wb.save(path)


# --- consortia ----------------------------------------------------------------------------------------
def consortia_for(user: Any) -> QuerySet[Consortium]:
    """The consortia a user sees (the model's `visible_to`)."""
    return Consortium.objects.visible_to(user)


def rated_rows(enterprise_ids: Iterable[int]) -> list[progress.Rated]:
    """Every final assessment of these enterprises (one query)."""
    ids = list(enterprise_ids)
    if not ids:
        return []
    return [progress.Rated(e, d, onsite, pk, lvl) for e, d, onsite, pk, lvl in assessment_results.final_results(ids)]


@dataclass
class GroupProgress:
    members: int
    now: progress.Distribution
    years: list[progress.Distribution]
    levels: dict[int, int | None]

    def chart(self) -> dict[str, Any]:
        return {
            "years": [d.label for d in self.years],
            "levels": [[d.by_level[i] for d in self.years] for i in progress.LEVELS],
            "assessed": [d.assessed for d in self.years],
            "now": list(self.now.by_level),
        }


def group_progress(enterprise_ids: Sequence[int], today: dt.date | None = None) -> GroupProgress:
    today = today or timezone.localdate()
    rows = rated_rows(enterprise_ids)
    levels = progress.official_levels(rows)
    members = len(set(enterprise_ids))
    return GroupProgress(members, progress.distribution("现在", members, levels),
                         progress.progress_by_year(rows, members, progress.years_span(rows, today)), levels)


# --- chain leaders (链主) -----------------------------------------------------------------------------
def chain_leaders_for(user: Any) -> QuerySet[Enterprise]:
    """Chain leaders in the user's scope: flagged in the registry, or with an imported list."""
    return Enterprise.objects.visible_to(user).filter(
        Q(chain_leader=True) | Q(pk__in=ChainLink.objects.values("leader_id"))
    )


def may_import_chain(user: Any, leader: Enterprise) -> bool:
    """Officers designate chain leaders (importing a list marks the enterprise 链主); an enterprise keeps the
    list of its own suppliers and customers once it has been designated."""

    if is_officer(user):
        return True
    return user.role == Role.ENTERPRISE and user.organisation_id == leader.pk and leader.chain_leader


@transaction.atomic
def save_chain_links(actor: Any, leader: Enterprise, rows: Sequence[dict[str, str]], replace: bool) -> dict[str, int]:
    """Upsert the leader's suppliers/customers by (USCC, relation); `replace` drops links not in the file.
    An enterprise that was not yet flagged 链主 in the registry is flagged (audited as a registry change)."""
    from shuzhuan.registry.services import update_profile

    if not leader.chain_leader:
        update_profile(actor, leader, {"chain_leader": True}, reason="导入链主上下游名单")
    existing = {(link.partner_uscc, link.relation): link for link in leader.chain_links.all()}
    registry = dict(Enterprise.objects.filter(organisation__uscc__in={r["uscc"] for r in rows})
                    .values_list("organisation__uscc", "pk"))
    now = timezone.now()
    create, update = [], []
    for r in rows:
        key = (r["uscc"], r["relation"])
        link = existing.pop(key, None)
        partner = registry.get(r["uscc"])
        if link is None:
            create.append(ChainLink(leader=leader, partner_uscc=r["uscc"], partner_name=r["name"], partner_id=partner,
                                    relation=r["relation"], imported_at=now))
        elif link.partner_name != r["name"] or link.partner_id != partner:
            link.partner_name, link.partner_id, link.imported_at = r["name"], partner, now
            update.append(link)
    ChainLink.objects.bulk_create(create, batch_size=1000)
    ChainLink.objects.bulk_update(update, ["partner_name", "partner", "imported_at"], batch_size=1000)
    removed = 0
    if replace and existing:
        removed, _by_model = ChainLink.objects.filter(pk__in=[link.pk for link in existing.values()]).delete()
    counts = {"created": len(create), "updated": len(update), "removed": removed,
              "in_registry": sum(1 for r in rows if r["uscc"] in registry)}
    audit.record(actor, "chain_import", leader,
                 f"导入链主上下游名单：新增 {counts['created']}，更新 {counts['updated']}，移除 {removed}",
                 organisation=leader.organisation_id, changes={k: [None, v] for k, v in counts.items()})
    return counts


def relink_partners() -> int:
    """Attach links to registry enterprises that were imported after the list (by USCC)."""
    pending = ChainLink.objects.filter(partner__isnull=True)
    found = dict(Enterprise.objects.filter(organisation__uscc__in=pending.values("partner_uscc"))
                 .values_list("organisation__uscc", "pk"))
    links = [link for link in pending if link.partner_uscc in found]
    for link in links:
        link.partner_id = found[link.partner_uscc]
    ChainLink.objects.bulk_update(links, ["partner"], batch_size=1000)
    return len(links)


# --- the chain-leader list file: 统一社会信用代码, 企业名称, 关系 ------------------------------------------
CHAIN_MAX_ROWS = 20_000
CHAIN_BYTES_PER_ROW = 1024
CHAIN_HEADERS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "uscc"),
    "name": ("企业名称", "名称", "单位名称", "供应商名称", "客户名称", "name"),
    "relation": ("关系", "类型", "上下游", "relation"),
}
CHAIN_LABELS = {"uscc": "统一社会信用代码", "name": "企业名称", "relation": "关系"}
RELATION_WORDS = {
    "供应商": "supplier", "供应": "supplier", "上游": "supplier", "supplier": "supplier",
    "客户": "customer", "下游": "customer", "customer": "customer",
}


@dataclass
class ChainFile:
    rows: list[dict[str, str]]
    errors: list[dict[str, Any]]
    rows_total: int
    header_row: int = 1

    def report(self) -> dict[str, Any]:
        return {"rows_total": self.rows_total, "rows_valid": len(self.rows), "errors": self.errors,
                "error_count": len(self.errors), "rows_rejected": len({e["row"] for e in self.errors})}


def _header_index(cells: Sequence[Any]) -> dict[str, tuple[int, str]]:
    from shuzhuan.registry.imports.rows import cell_text

    found: dict[str, tuple[int, str]] = {}
    for i, raw in enumerate(cells):
        text = cell_text(raw)
        key = text.replace(" ", "").lower()
        for fld, names in CHAIN_HEADERS.items():
            if key in names and fld not in found:
                found[fld] = (i, text)
    return found


def read_chain_file(path: Path) -> ChainFile:
    """Validate every row; raises ImportFileError (Chinese message) when the file cannot be used."""
    from shuzhuan.registry.domain import UsccError, validate_uscc
    from shuzhuan.registry.imports.readers import ImportFileError, open_table
    from shuzhuan.registry.imports.rows import cell_text

    # read in the web process (a short list): the archive's metadata bounds it first, 20,000 rows of at
    # most 1 KB of sheet XML each (a three-column list), so a bomb is refused before calamine reads it
    table = open_table(path, max_rows=CHAIN_MAX_ROWS, bytes_per_row=CHAIN_BYTES_PER_ROW)
    rows_iter = iter(table.rows())
    header: dict[str, tuple[int, str]] = {}
    header_row = 1
    for number, cells in rows_iter:
        header = _header_index(cells)
        if "uscc" in header and "name" in header:
            header_row = number
            break
    else:
        header = {}
    if not header:
        raise ImportFileError("missing_headers", _("缺少必需的列：统一社会信用代码、企业名称（可选：关系，填“供应商”或“客户”）"))
    out = ChainFile([], [], 0, header_row)
    seen: dict[tuple[str, str], int] = {}
    for number, cells in rows_iter:
        out.rows_total += 1
        if out.rows_total > CHAIN_MAX_ROWS:
            raise ImportFileError("too_many_rows", _("名单不能超过 %(limit)s 行，请拆分后分批导入") % {"limit": CHAIN_MAX_ROWS})

        def cell(fld: str, cells: Sequence[Any] = cells) -> Any:
            index = header[fld][0] if fld in header else None
            return cells[index] if index is not None and index < len(cells) else None

        errors = []
        uscc = ""
        try:
            uscc = validate_uscc(cell("uscc")).code
        except UsccError as exc:
            errors.append({"row": number, "column": header["uscc"][1], "code": f"uscc_{exc.code}", "message": str(exc)})
        name = cell_text(cell("name"))
        if not name:
            errors.append({"row": number, "column": header["name"][1], "code": "required", "message": "企业名称不能为空"})
        elif len(name) > 200:
            errors.append({"row": number, "column": header["name"][1], "code": "too_long", "message": "企业名称不能超过 200 字"})
        relation_text = cell_text(cell("relation")).replace(" ", "").lower()
        relation = RELATION_WORDS.get(relation_text, "supplier" if not relation_text else "")
        if not relation:
            errors.append({"row": number, "column": header["relation"][1], "code": "invalid_relation",
                           "message": f"关系“{relation_text[:20]}”无法识别，请填写“供应商”或“客户”"})
        if uscc and relation:
            first = seen.setdefault((uscc, relation), number)
            if first != number:
                errors.append({"row": number, "column": header["uscc"][1], "code": "duplicate",
                               "message": f"与第 {first} 行重复（同一企业、同一关系）"})
        if errors:
            out.errors.extend(errors)
        else:
            out.rows.append({"uscc": uscc, "name": name, "relation": relation})
    if out.rows_total == 0:
        raise ImportFileError("empty_file", _("文件中没有数据行：第一行为列名，从第二行起每行一家企业"))
    return out


def annotated_chain_errors(owner: Any, leader: Enterprise, source: Path, parsed: ChainFile) -> Any:
    """Keep the uploaded list with an 错误说明 column as a finished job of the uploader, to download."""
    import uuid

    from shuzhuan.core.jobs import private_path
    from shuzhuan.core.models import Job, JobStatus
    from shuzhuan.registry.imports.annotate import write_annotated

    relative = f"chain-errors/{uuid.uuid4().hex}.xlsx"
    write_annotated(source, parsed.errors, private_path(relative), header_row=parsed.header_row)
    now = timezone.now()
    return Job.objects.create(
        owner=owner, kind="chain_import_errors", title=f"上下游名单错误标注：{leader.organisation.name}"[:200],
        status=JobStatus.SUCCEEDED, done=parsed.rows_total, total=parsed.rows_total, output_file=relative,
        message=f"{parsed.report()['rows_rejected']} 行有错误", started_at=now, finished_at=now,
        result={**parsed.report(), "errors": parsed.errors[:200], "output_name": "上下游名单（错误标注）.xlsx"},
    )


def chain_template() -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from shuzhuan.core.xlsx import append_row

    wb = Workbook()
    ws = wb.active
    ws.title = "上下游名单"
    append_row(ws, list(CHAIN_LABELS.values()))
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["A"].number_format = "@"
    ws.column_dimensions["B"].width = 36
    ws.column_dimensions["C"].width = 10
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
