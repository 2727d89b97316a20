"""The enterprise's pages by declaration (core.testing.ModelViewTestCase): list, detail, edit, import,
export and scoping. Enterprises are created by the import only, and never deleted."""

from __future__ import annotations

import pytest

from shuzhuan.core.testing import ModelViewTestCase
from shuzhuan.registry.models import Enterprise
from shuzhuan.registry.tests.test_import_views import csv_bytes, good, job_of, upload

pytestmark = pytest.mark.django_db


class TestEnterpriseViews(ModelViewTestCase):
    model = Enterprise
    owner = "town_a"
    outsiders = {"town_b": 200, "ent_b": 403, "provider_a": 403}
    list_url = "/enterprises/"
    detail_url = "/enterprises/{uscc}/"
    edit_url = "/enterprises/{uscc}/edit/"
    export_url = "/enterprises/export.xlsx"
    audit_actions = {"edit": "update"}

    def make(self, world):
        return world.enterprises["a"]

    def label(self, obj):
        return obj.name

    def edit_data(self, world, obj):
        return {"name": obj.name, "legal_representative": "王二", "town": world.towns["a"].pk, "industry": "3872",
                "reason": "法人变更"}

    def edited(self, obj):
        return obj.legal_representative == "王二"

    @staticmethod
    def do_import(client, world):
        from django.urls import reverse

        job = job_of(upload(client, csv_bytes([good(901), good(902)])))
        client.post(reverse("registry:import_confirm", args=[job.pk]), {"mode": "all"})
        return 2
