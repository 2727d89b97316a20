"""Finance's part of the 待办 queue (core.todo): a bank's filings to take up and its loans whose monthly
repayment report is due; the city's approved interest claims waiting for payment."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhuan.core.models import Role, is_city_wide
from shuzhuan.core.todo import LIMIT, TodoItem
from shuzhuan.finance.domain import filing as fd
from shuzhuan.finance.domain import loan as ld

VOID_AFTER = dt.timedelta(days=183)  # a filing without a loan application ~6 months on becomes void
REPORT_EVERY = dt.timedelta(days=31)  # banks report each month's repayments (interest actually paid)
REPORTING = (ld.ACTIVE, ld.OVERDUE)


def bank_items(user, today: dt.date) -> list[TodoItem]:
    from shuzhuan.finance.models import Filing, Loan

    items: list[TodoItem] = []
    bank = getattr(getattr(user, "organisation", None), "bank_profile", None)
    if bank is None:
        return items
    own_loan = Loan.objects.filter(filing=OuterRef("pk"), bank=bank)
    filings = (Filing.objects.visible_to(user).filter(state=fd.FILED, intended_banks=bank)
               .exclude(Exists(own_loan)).select_related("enterprise__organisation").order_by("filed_on", "pk")[:LIMIT])
    for filing in filings:
        items.append(TodoItem(_("备案待受理"), f"{filing.number} {filing.enterprise}",
                              reverse("finance:filing", kwargs={"filing_id": filing.pk}), since=filing.filed_on,
                              due=filing.filed_on + VOID_AFTER if filing.filed_on else None,
                              note=_("核对备案编号后报送贷款申请"), category="finance"))
    loans = (Loan.objects.visible_to(user).filter(bank=bank, state__in=REPORTING)
             .select_related("enterprise__organisation").order_by("last_event_on", "pk"))
    for loan in loans:
        last = loan.last_event_on or loan.granted_on or loan.applied_on
        due = last + REPORT_EVERY
        if due > today + dt.timedelta(days=7):
            continue
        items.append(TodoItem(_("还款待报送"), f"{loan.reference} {loan.enterprise}",
                              reverse("finance:import"), since=last, due=due,
                              note=_("报送本月还款本金与实付利息"), category="finance"))
        if len(items) >= 2 * LIMIT:
            break
    return items


def city_items(user) -> list[TodoItem]:
    from shuzhuan.finance.models import InterestClaim
    from shuzhuan.policy.domain import runs

    claims = (InterestClaim.objects.visible_to(user).filter(entitlement__status=runs.APPROVED, transaction__isnull=True)
              .select_related("enterprise__organisation").order_by("created_at", "pk")[:LIMIT])
    return [TodoItem(_("贴息待支付"), f"{c.enterprise} {c.year}Q{c.quarter}", reverse("finance:interest_claims"),
                     since=c.created_at, note=_("企业已确认、市级已审批"), category="finance") for c in claims]


def todo(request) -> list[TodoItem]:
    user = request.user
    today = timezone.localdate()
    if user.role == Role.BANK:
        return bank_items(user, today)
    if is_city_wide(user):
        return city_items(user)
    return []
