"""The programme dashboard's figures, computed once for the page and the XLSX export.

Everything is scoped: a town officer's dashboard counts its town only. A figure says what it
counts (`explain`), so the page can show how it was computed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhuan.funds import services as funds
from shuzhuan.programs import services
from shuzhuan.programs.domain import workflow as wf
from shuzhuan.programs.domain.model import LEVEL_NAMES
from shuzhuan.programs.models import Listing, Programme, Project

ZERO = Decimal("0.00")
FUNNEL = (
    ("listed", "列入试点", "试点企业库中已入库（市级审定）的企业数"),
    ("filed", "合同备案", "已提交合同备案的项目数（含之后各环节）"),
    ("in_progress", "实施改造", "已开始实施的项目数"),
    ("accepted", "验收通过", "改造后现场评定达标并核验的项目数"),
    ("paid", "已兑现", "补助已兑现的项目数"),
)
MONEY_STATES = (wf.CITY_APPROVED, wf.IN_BATCH, wf.PAID)


@dataclass
class Dashboard:
    programme: Programme
    today: dt.date
    funnel: list[dict[str, Any]] = field(default_factory=list)
    states: list[tuple[str, str, int]] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    money: list[dict[str, Any]] = field(default_factory=list)  # per state: {state, label, by_source, total}
    money_total: dict[str, Decimal] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # what could not be computed, shown on the page
    ledger: list[dict[str, Any]] = field(default_factory=list)
    levels: list[list[int]] = field(default_factory=list)  # [before][after]
    level_rows: list[tuple[str, list[int], int]] = field(default_factory=list)
    towns: list[dict[str, Any]] = field(default_factory=list)
    sub_industries: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[tuple[Project, str]] = field(default_factory=list)
    cards: dict[str, Any] = field(default_factory=dict)


def build(programme: Programme, user: Any, with_ledger: bool = False) -> Dashboard:
    today = timezone.localdate()
    board = Dashboard(programme=programme, today=today)
    projects = Project.objects.visible_to(user).filter(programme=programme)
    listings = Listing.objects.visible_to(user).filter(programme=programme)

    # funnel: each stage counts those that reached it (dates stay set after later steps)
    reached = projects.aggregate(
        filed=Count("pk", filter=Q(filed_on__isnull=False)),
        in_progress=Count("pk", filter=Q(started_on__isnull=False)),
        accepted=Count("pk", filter=Q(post_assessment__isnull=False)),
        paid=Count("pk", filter=Q(state=wf.PAID)),
    )
    reached["listed"] = listings.filter(status=wf.LISTING_LISTED).count()
    top = max(reached["listed"], 1)
    board.funnel = [{"key": key, "label": label, "explain": explain, "count": reached[key],
                     "percent": round(reached[key] * 100 / top)} for key, label, explain in FUNNEL]
    counts = dict(projects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    board.states = [(s, wf.STATES[s], counts.get(s, 0)) for s in wf.STATES]

    # money by source and state, from the ledger's postings (what each project's commitment set aside)
    try:
        version = services.rules_version(programme, today)
        board.sources = [(s.code, s.label) for s in version.fund_sources]
    except services.ServiceError as exc:
        board.sources = []
        board.problems.append(_("奖补计划的规则无法读取，资金按来源的分列无法显示：%(error)s") % {"error": exc})
    sums: dict[str, dict[str, Decimal]] = {s: defaultdict(lambda: ZERO) for s in MONEY_STATES}
    committed = funds.commitments_by_reference(programme.code)
    for pk, state in projects.filter(state__in=MONEY_STATES).values_list("pk", "state"):
        _status, parts = committed.get(f"project:{pk}", ("", {}))
        for code, amount in parts.items():
            sums[state][code] += amount
    board.money_total = defaultdict(lambda: ZERO)
    for state in MONEY_STATES:
        row = {code: sums[state][code] for code, _label in board.sources}
        total = sum(row.values(), ZERO)
        board.money.append({"state": state, "label": wf.STATES[state], "by_source": row, "total": total})
        for code, amount in row.items():
            board.money_total[code] += amount
        board.money_total["total"] += total
    if with_ledger:
        try:
            balances = funds.balances(programme.code)
        except funds.LedgerError as exc:
            balances = {}
            board.problems.append(_("资金台账无法读取：%(error)s") % {"error": exc})
        labels = dict(board.sources)
        for (source, purpose), values in balances.items():
            board.ledger.append({"source": labels.get(source, source), "purpose": purpose, **values})

    # level before / after (projects accepted)
    size = len(LEVEL_NAMES)
    board.levels = [[0] * size for _ in range(size + 1)]  # last row: baseline not assessed
    for before, after, n in (projects.filter(level_achieved__isnull=False)
                             .values_list("baseline_level", "level_achieved").annotate(n=Count("pk"))
                             .values_list("baseline_level", "level_achieved", "n")):
        board.levels[size if before is None else before][after] += n
    labels = [*LEVEL_NAMES, "未评定"]
    board.level_rows = [(labels[i], row, sum(row)) for i, row in enumerate(board.levels) if sum(row)]

    # by town and by sub-industry
    listed_by_town = dict(listings.filter(status=wf.LISTING_LISTED).values_list("enterprise__town__short_name")
                          .annotate(n=Count("pk")).values_list("enterprise__town__short_name", "n"))
    by_town = {row["enterprise__town__short_name"]: row for row in projects.values("enterprise__town__short_name").annotate(
        projects=Count("pk"), paid=Count("pk", filter=Q(state=wf.PAID)),
        paid_amount=Sum("subsidy_amount", filter=Q(state=wf.PAID)),
        committed=Sum("subsidy_amount", filter=Q(state__in=list(wf.COMMITTED))))}
    for town in sorted(set(listed_by_town) | set(by_town)):
        row = by_town.get(town, {})
        board.towns.append({"name": town, "listed": listed_by_town.get(town, 0), "projects": row.get("projects", 0),
                            "paid": row.get("paid", 0), "paid_amount": row.get("paid_amount") or ZERO,
                            "committed": row.get("committed") or ZERO})
    names = services.sub_industry_names(programme)
    listed_by_sub = dict(listings.filter(status=wf.LISTING_LISTED).values_list("sub_industry")
                         .annotate(n=Count("pk")).values_list("sub_industry", "n"))
    by_sub = {row["listing__sub_industry"]: row for row in projects.values("listing__sub_industry").annotate(
        projects=Count("pk"), accepted=Count("pk", filter=Q(post_assessment__isnull=False)),
        paid=Count("pk", filter=Q(state=wf.PAID)), paid_amount=Sum("subsidy_amount", filter=Q(state=wf.PAID)))}
    for code in sorted(set(listed_by_sub) | set(by_sub)):
        row = by_sub.get(code, {})
        board.sub_industries.append({"name": names.get(code, code or "—"), "listed": listed_by_sub.get(code, 0),
                                     "projects": row.get("projects", 0), "accepted": row.get("accepted", 0),
                                     "paid": row.get("paid", 0), "paid_amount": row.get("paid_amount") or ZERO})

    overdue = (services.overdue_projects(projects, today)
               .select_related("enterprise__organisation", "enterprise__town").order_by("finish_due", "pk")[:200])
    board.overdue = [(p, p.overdue(today) or "") for p in overdue]
    board.cards = {
        "listed": reached["listed"], "projects": sum(counts.values()),
        "active": sum(n for s, n in counts.items() if s not in wf.FINAL),
        "paid_amount": next((m["total"] for m in board.money if m["state"] == wf.PAID), ZERO),
        "committed": sum((m["total"] for m in board.money if m["state"] in wf.COMMITTED), ZERO),
        "overdue": services.overdue_projects(projects, today).count(),
    }
    return board


def export_xlsx(board: Dashboard, projects) -> bytes:
    """The dashboard's tables, one sheet each, plus the project list behind them."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from shuzhuan.core.xlsx import append_row

    wb = Workbook()

    def sheet(title: str, header: list[str], rows: list[list[Any]], first: bool = False):
        ws = wb.active if first else wb.create_sheet()
        ws.title = title
        append_row(ws, header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(ws, row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = 16
        return ws

    sheet("漏斗", ["环节", "数量", "口径"], [[f["label"], f["count"], f["explain"]] for f in board.funnel], first=True)
    labels = [label for _code, label in board.sources]
    sheet("资金（元）", ["状态", *labels, "合计"],
          [[m["label"], *(m["by_source"][c] for c, _l in board.sources), m["total"]] for m in board.money])
    sheet("改造前后等级", ["改造前＼改造后", *LEVEL_NAMES, "合计"], [[label, *row, total] for label, row, total in board.level_rows])
    sheet("镇街", ["镇街", "试点企业", "改造项目", "已兑现项目", "已兑现金额（元）", "已承诺金额（元）"],
          [[t["name"], t["listed"], t["projects"], t["paid"], t["paid_amount"], t["committed"]] for t in board.towns])
    sheet("细分行业", ["细分行业", "试点企业", "改造项目", "验收通过", "已兑现项目", "已兑现金额（元）"],
          [[s["name"], s["listed"], s["projects"], s["accepted"], s["paid"], s["paid_amount"]] for s in board.sub_industries])
    sheet("逾期事项", ["项目", "企业", "镇街", "状态", "逾期情况"],
          [[p.title, p.enterprise.organisation.name, p.enterprise.town.short_name, p.state_label, line]
           for p, line in board.overdue])
    rows = []
    for p in projects:
        rows.append([p.pk, p.title, p.enterprise.organisation.name, p.enterprise.organisation.uscc,
                     p.enterprise.town.short_name, p.provider.name if p.provider else "", p.state_label,
                     LEVEL_NAMES[p.baseline_level] if p.baseline_level is not None else "",
                     LEVEL_NAMES[p.level_achieved] if p.level_achieved is not None else "",
                     p.subsidy_amount, p.finish_due, p.paid_on])
    sheet("项目清单", ["编号", "项目名称", "企业", "统一社会信用代码", "镇街", "服务商", "状态", "改造前等级", "改造后等级",
                   "补助金额（元）", "改造完成期限", "兑现日期"], rows)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
