"""Demo accounts: one per role, the right scope, one password, created once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from shuzhuan.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from shuzhuan.core.models import Organisation, OrganisationKind, Role, User
from shuzhuan.registry import demo as registry_demo
from shuzhuan.registry.models import Enterprise


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def demo_users():
    """The demo accounts (other demo steps add users of their own, e.g. the pool's experts)."""
    return User.objects.filter(username__in=[spec.username for spec in DEMO_ACCOUNTS])


def run(**options) -> str:
    out = io.StringIO()
    call_command("demo_data", stdout=out, **options)
    return out.getvalue()


def test_demo_data_with_accounts_builds_the_city_and_one_account_per_role(db):
    output = run(enterprises=500, seed=1, accounts=True)
    assert Enterprise.objects.count() == 500
    users = {u.username: u for u in demo_users().select_related("town", "organisation")}
    assert set(users) == {"admin", "city", "guzhen", "qiye", "fuwushang", "yinhang", "zhuanjia"}
    assert {u.role for u in users.values()} == set(Role.values)
    for user in users.values():
        assert user.check_password(DEMO_PASSWORD) and user.mobile and user.is_active
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not any(u.is_staff for name, u in users.items() if name != "admin")
    assert users["guzhen"].role == Role.TOWN_OFFICER and users["guzhen"].town.short_name == "古镇"
    firm = Enterprise.objects.select_related("town").get(pk=users["qiye"].organisation_id)
    assert firm.town.short_name == "古镇" and firm.industry_id.startswith("387")
    assert firm.organisation.uscc.startswith(registry_demo.calibration().uscc_prefix)
    assert users["fuwushang"].organisation.kind == OrganisationKind.PROVIDER
    assert users["yinhang"].organisation.kind == OrganisationKind.BANK
    for name in ("admin", "city", "zhuanjia"):
        assert users[name].town is None and users[name].organisation is None
    # the table: every username with its password, and the total time
    for spec in DEMO_ACCOUNTS:
        assert spec.username in output
    assert DEMO_PASSWORD in output and "总用时" in output


def test_accounts_are_created_once(db):
    run(enterprises=300, seed=2, accounts=True)
    before = {u.username: (u.pk, u.password, u.organisation_id) for u in User.objects.all()}
    organisations = Organisation.objects.count()
    output = run(enterprises=300, seed=2, accounts=True)
    assert {u.username: (u.pk, u.password, u.organisation_id) for u in User.objects.all()} == before
    assert Organisation.objects.count() == organisations
    assert "已存在" in output and "跳过" in output


def test_reset_replaces_the_enterprise_account_with_one_of_the_new_city(db):
    run(enterprises=300, seed=2, accounts=True)
    old_firm = User.objects.get(username="qiye").organisation_id
    run(enterprises=300, seed=3, accounts=True, reset=True)
    qiye = User.objects.get(username="qiye")
    assert qiye.organisation_id != old_firm
    assert Enterprise.objects.filter(pk=qiye.organisation_id, town__short_name="古镇").exists()
    assert demo_users().count() == len(DEMO_ACCOUNTS)


def test_accounts_without_enterprises_skip_the_enterprise_account(db):
    output = run(enterprises=0, accounts=True)
    assert not User.objects.filter(username="qiye").exists()
    assert User.objects.count() == len(DEMO_ACCOUNTS) - 1
    assert "跳过企业账号" in output


def test_a_taken_mobile_number_is_left_out(db):
    User.objects.create_user("someone", mobile="13800000001", role=Role.EXPERT)
    run(enterprises=0, accounts=True)
    assert User.objects.get(username="admin").mobile is None
