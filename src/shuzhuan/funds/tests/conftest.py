from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import make_user

from shuzhuan.funds import services

PILOT = "demo-pilot"  # central, provincial, municipal at 1:1:1; the 80/20 rule applies to central
TOWN = "demo-town-scheme"  # town, municipal at 1:1; no purpose rule


def D(value: str) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(value)


@pytest.fixture
def officer(db):
    return make_user("city_funds", "city_officer")


@pytest.fixture
def funded(officer):
    """The pilot with 1,000,000.00 of direct SME money from each of its three sources."""
    for source in ("central", "provincial", "municipal"):
        services.allocate(PILOT, source, "direct_sme", D("1000000.00"), officer, memo="首批资金")
    return officer
