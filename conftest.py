"""Shared fixtures: a small two-town world with one user per role, used by scope and feature tests."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop beside Django's live server

PASSWORD = "Demo-pass-2026"


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    """Each test writes uploads, job files and cache into its own folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Argon2 is deliberately slow; tests that check it restore the production list (test_accounts).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@dataclass
class World:
    """Two towns (古镇, 小榄), an enterprise in each, and users of every role; 'a' is ours, 'b' is other."""

    towns: dict = field(default_factory=dict)
    enterprises: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)


def make_enterprise(name: str, uscc: str, town, industry="3872", year=2024, employees=120, revenue="45000000.00"):
    from shuzhuan.core.models import Organisation, OrganisationKind
    from shuzhuan.registry import services
    from shuzhuan.registry.models import Enterprise, EnterpriseYear

    org = Organisation.objects.create(uscc=uscc, name=name, kind=OrganisationKind.ENTERPRISE)
    ent = Enterprise.objects.create(organisation=org, town=town, industry_id=industry, legal_representative="张三", address=f"{town.name}测试路 1 号")
    EnterpriseYear.objects.create(enterprise=ent, year=year, employees=employees, revenue=Decimal(revenue), tax=Decimal("1200000.00"))
    services.refresh_derived(ent)
    ent.save()
    return ent


def make_user(username: str, role: str, town=None, organisation=None):
    from shuzhuan.core.models import User

    user = User(username=username, role=role, town=town, organisation=organisation, display_name=username,
                is_staff=role == "admin", is_superuser=role == "admin")
    user.set_password(PASSWORD)
    user.save()
    return user


def ensure_reference_data() -> None:
    """Transactional (browser) tests flush the database, migration-loaded data included: reload it."""
    import importlib

    from django.apps import apps

    from shuzhuan.core.models import Town

    if Town.objects.exists():
        return
    for module in ("shuzhuan.core.migrations.0002_load_towns", "shuzhuan.registry.migrations.0002_load_industries",
                   "shuzhuan.marketplace.migrations.0002_default_categories"):
        importlib.import_module(module).load(apps, None)


@pytest.fixture
def world(db) -> World:
    from shuzhuan.core.models import Organisation, OrganisationKind, Town
    from shuzhuan.registry.domain import make_uscc

    ensure_reference_data()
    w = World()
    w.towns = {"a": Town.objects.get(short_name="古镇"), "b": Town.objects.get(short_name="小榄")}
    w.enterprises = {
        "a": make_enterprise("古镇明辉灯饰有限公司", make_uscc("442000", "MA4W0001"), w.towns["a"]),
        "b": make_enterprise("小榄永固五金制品有限公司", make_uscc("442000", "MA4W0002"), w.towns["b"], industry="3351"),
    }
    w.orgs = {
        "provider_a": Organisation.objects.create(uscc=make_uscc("442000", "MA4W0003"), name="数智云服务商甲", kind=OrganisationKind.PROVIDER),
        "provider_b": Organisation.objects.create(uscc=make_uscc("442000", "MA4W0004"), name="数智云服务商乙", kind=OrganisationKind.PROVIDER),
        "bank_a": Organisation.objects.create(uscc=make_uscc("442000", "MA4W0005"), name="示范银行甲", kind=OrganisationKind.BANK),
        "bank_b": Organisation.objects.create(uscc=make_uscc("442000", "MA4W0006"), name="示范银行乙", kind=OrganisationKind.BANK),
    }
    w.users = {
        "admin": make_user("admin", "admin"),
        "city": make_user("city", "city_officer"),
        "town_a": make_user("town_a", "town_officer", town=w.towns["a"]),
        "town_b": make_user("town_b", "town_officer", town=w.towns["b"]),
        "ent_a": make_user("ent_a", "enterprise", organisation=w.enterprises["a"].organisation),
        "ent_b": make_user("ent_b", "enterprise", organisation=w.enterprises["b"].organisation),
        "provider_a": make_user("provider_a", "provider", organisation=w.orgs["provider_a"]),
        "bank_a": make_user("bank_a", "bank", organisation=w.orgs["bank_a"]),
        "expert": make_user("expert", "expert"),
    }
    return w


@pytest.fixture
def login(client):
    """login(user) → a test client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright. Skips with a reason outside CI; fails in CI if missing."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run browser tests: install Debian's chromium (make system-deps)")
        pytest.skip("no Chromium on this machine: run `make system-deps` to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()
