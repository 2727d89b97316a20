"""The assessment app's own tests run without the rules higher apps register about who may rate
(the marketplace's pool): those are tested where they are registered, and here through a test rule."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_registered_rater_rules(monkeypatch):
    from shuzhuan.assessment import services

    monkeypatch.setattr(services, "_RATER_RULES", [])
