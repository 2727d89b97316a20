"""Every numeric input has bounds matching its column, on forms and API (issue 10 item 5): an
out-of-range number is a clear error (400 on a page, 422 in the API's envelope), never a 500."""

from __future__ import annotations

import importlib
import inspect
from decimal import Decimal

import pytest
from django import forms

FORM_MODULES = ("shuzhuan.registry.forms", "shuzhuan.funds.forms", "shuzhuan.assessment.forms",
                "shuzhuan.marketplace.forms.pool", "shuzhuan.marketplace.forms.match", "shuzhuan.programs.forms",
                "shuzhuan.core.forms")


def _declared_fields():
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                for field_name, field in getattr(cls, "base_fields", {}).items():
                    yield f"{cls.__module__}.{cls.__name__}.{field_name}", field, _model_field(cls, field_name)


def _model_field(cls, name):
    model = getattr(getattr(cls, "_meta", None), "model", None)
    try:
        return model._meta.get_field(name) if model is not None else None
    except Exception:
        return None


def _bounded(field: forms.Field, model_field) -> bool:
    """A bound on the form field, or (a ModelForm) on the model field, whose validators the form runs."""
    from django.core.validators import MaxValueValidator

    validators = [*field.validators, *(model_field.validators if model_field is not None else ())]
    if isinstance(field, forms.DecimalField):
        return field.max_digits is not None or field.max_value is not None
    if isinstance(field, forms.IntegerField):
        return field.max_value is not None or any(isinstance(v, MaxValueValidator) for v in validators)
    return True


def test_every_numeric_form_field_is_bounded():
    unbounded = [name for name, field, model_field in _declared_fields() if not _bounded(field, model_field)]
    assert unbounded == []


@pytest.mark.django_db
def test_a_need_budget_beyond_the_column_is_a_form_error(world, login):
    from shuzhuan.marketplace.models import Need

    c = login(world.users["ent_a"])
    response = c.post("/market/needs/new/", {"text": "仓库进出货全靠手写单", "budget": "9999999999.99",
                                             "scenarios": ["S11"], "action": "publish"})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    assert not Need.objects.exists()
    largest = c.post("/market/needs/new/", {"text": "仓库进出货全靠手写单", "budget": "99999999.99",
                                            "scenarios": ["S11"], "action": "publish"})
    assert largest.status_code == 302
    assert Need.objects.get().budget == Decimal("999999999900.00")


@pytest.mark.django_db
def test_create_need_refuses_a_budget_beyond_the_column(world):
    from shuzhuan.marketplace.services import match as svc

    with pytest.raises(svc.MatchError, match="预算"):
        svc.create_need(world.users["ent_a"], world.enterprises["a"], "仓库进出货全靠手写单", ["S11"],
                        Decimal("99999999999999.00"))


@pytest.mark.django_db
def test_an_overflowing_stored_budget_is_cleared_and_the_pages_load(world, login):
    from django.db import connection

    from shuzhuan.marketplace.migrations import _bounds
    from shuzhuan.marketplace.models import Need
    from shuzhuan.marketplace.services import match as svc

    if connection.vendor != "sqlite":
        pytest.skip("only SQLite stores a value beyond the column's digits (PostgreSQL refuses the write)")
    need = svc.create_need(world.users["ent_a"], world.enterprises["a"], "仓库进出货全靠手写单", ["S11"], None)
    with connection.cursor() as cursor:  # a row written before the bounds (SQLite stores it; reading it fails)
        cursor.execute(f"UPDATE {Need._meta.db_table} SET budget = %s WHERE id = %s", ["99999999999900.00", need.pk])
    assert _bounds.clear_overflowing_budgets(Need) == 1
    assert Need.objects.get(pk=need.pk).budget is None
    c = login(world.users["city"])
    assert c.get("/market/needs/").status_code == 200
    assert c.get(f"/market/needs/{need.pk}/").status_code == 200


@pytest.mark.django_db
def test_employees_beyond_the_column_is_a_form_error(world, login):
    c = login(world.users["city"])
    uscc = world.enterprises["a"].organisation.uscc
    response = c.post(f"/enterprises/{uscc}/years/", {"year": "2024", "employees": "99999999999999999999"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    from shuzhuan.registry.models import EnterpriseYear

    assert not EnterpriseYear.objects.filter(enterprise=world.enterprises["a"], year=2024, employees__gt=10**9).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["offset=99999999999999999999999", "limit=99999999999999999999999",
                                   "offset=-1", "limit=0"])
def test_projects_api_paging_out_of_range_is_422_in_the_envelope(world, login, query):
    response = login(world.users["city"]).get(f"/api/v1/programs/projects?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["errors"] and body["errors"][0]["field"] in ("offset", "limit")


@pytest.mark.django_db
def test_recommendations_api_need_out_of_range_is_not_a_500(world, login):
    uscc = world.enterprises["a"].organisation.uscc
    response = login(world.users["city"]).get(f"/api/v1/marketplace/recommendations/{uscc}?need=99999999999999999999999")
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "need"
