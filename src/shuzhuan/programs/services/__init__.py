"""Programme use cases: the pilot enterprise pool, the project lifecycle, payout batches, satisfaction.

Every state change goes through `transition` (or a use case calling it): one transaction, the
project row locked, the guards of `domain/workflow.py` asked with facts read inside that
transaction, side effects (funds commitment, release, payment), then an audit entry naming the
enterprise's organisation so the step shows on its timeline (一企一档). Pages, the API and the demo
all come here; Django admin is read-only for these models. A payout therefore always re-checks the
post-assessment, and the database CHECK on `Project` refuses anything that slipped past.

Money: `domain.quote` computes the subsidy with what the programme still has
(`funds.free_direct_balance`), and `funds.commit/release/pay` move it under the reference
`project:<id>`.

The package splits the use cases by concern (one module each); this module re-exports them so
callers keep writing `from shuzhuan.programs import services` and `services.transition(...)`.
"""

from shuzhuan.programs.models import Listing, Project  # noqa: F401  (re-exported for callers)
from shuzhuan.programs.services.archive import archive_zip
from shuzhuan.programs.services.batches import (
    PAYMENT_COLUMNS,
    advance_batch,
    batch_total,
    build_batch,
    export_batch,
    month_start,
    officer_refusal,
    payment_rows,
    remove_from_batch,
)
from shuzhuan.programs.services.common import ServiceError, _funds, _role, _today, _user
from shuzhuan.programs.services.conflicts import contracted_providers, rater_conflict
from shuzhuan.programs.services.deadlines import OPEN_STATES, overdue_projects, remind_deadlines
from shuzhuan.programs.services.documents import (
    CONTENT_TYPES,
    DOCUMENT_MAX_BYTES,
    file_type_of,
    latest_documents,
    upload_document,
)
from shuzhuan.programs.services.experts import assign_expert, submit_expert_opinion
from shuzhuan.programs.services.listings import (
    apply_for_listing,
    check_eligibility,
    proposal,
    propose,
    review_listings,
)
from shuzhuan.programs.services.post_assessment import find_post_assessment
from shuzhuan.programs.services.projects import (
    add_item,
    add_milestone,
    create_project,
    finish_milestone,
    pool_providers,
    provider_in_pool,
    remove_item,
    update_contract,
)
from shuzhuan.programs.services.rules import categories, rules_version, sub_industry_names, targets
from shuzhuan.programs.services.satisfaction import delivery_record, rate_provider, refresh_provider_stars
from shuzhuan.programs.services.transitions import Offer, facts, offers, subsidy_preview, transition

__all__ = [
    "CONTENT_TYPES", "DOCUMENT_MAX_BYTES", "OPEN_STATES", "PAYMENT_COLUMNS", "Listing", "Offer", "Project",
    "ServiceError", "_funds", "_role", "_today", "_user", "add_item", "add_milestone", "advance_batch",
    "apply_for_listing", "archive_zip", "assign_expert", "batch_total", "build_batch", "categories",
    "check_eligibility", "contracted_providers", "create_project", "delivery_record", "export_batch", "facts",
    "file_type_of", "find_post_assessment", "finish_milestone", "latest_documents", "month_start", "offers",
    "officer_refusal", "overdue_projects", "payment_rows", "pool_providers", "proposal", "propose", "provider_in_pool",
    "rate_provider", "rater_conflict", "refresh_provider_stars", "remind_deadlines", "remove_from_batch",
    "remove_item", "review_listings", "rules_version", "sub_industry_names", "submit_expert_opinion",
    "subsidy_preview", "targets", "transition", "update_contract", "upload_document",
]
