"""Side b's consent for the scope test: enterprise b authorises bank b. Bank a, town a, enterprise a and
the others must neither revoke it nor read enterprise b's portrait (no consent of theirs)."""

from __future__ import annotations

import datetime as dt


def side_b_values(world) -> dict[str, str]:
    from django.utils import timezone

    from shuzhuan.credit.models import Consent

    consent = Consent.objects.create(enterprise=world.enterprises["b"], bank=world.orgs["bank_b"],
                                     purpose="credit_application", expires=timezone.localdate() + dt.timedelta(days=90))
    return {"consent_id": consent.pk}
