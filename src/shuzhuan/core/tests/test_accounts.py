import pytest
from conftest import PASSWORD
from django.core.management import CommandError, call_command
from django.urls import reverse

from shuzhuan.core.models import ApiToken, AuditEntry, User


def test_login_by_username_and_by_mobile(world, client):
    user = world.users["town_a"]
    user.mobile = "13800138000"
    user.save()
    assert client.post(reverse("core:login"), {"username": "town_a", "password": PASSWORD}).status_code == 302
    client.post(reverse("core:logout"))
    response = client.post(reverse("core:login"), {"username": "13800138000", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("core:home")


def test_passwords_are_argon2(world, settings):
    import shuzhuan.settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = world.users["city"]
    user.set_password("Another-pass-1")
    user.save()
    assert user.password.startswith("argon2")


def test_wrong_password_shows_chinese_error(world, client):
    response = client.post(reverse("core:login"), {"username": "town_a", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_failed_logins_are_throttled(world, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("core:login"), {"username": "town_a", "password": "wrong"})
    response = client.post(reverse("core:login"), {"username": "town_a", "password": PASSWORD})
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_open_redirect_is_refused(world, client):
    response = client.post(reverse("core:login") + "?next=https://evil.example/", {"username": "city", "password": PASSWORD, "next": "https://evil.example/"})
    assert response.url == reverse("core:home")


def test_bearer_token_authenticates_api(world, client):
    _token, raw = ApiToken.issue(world.users["town_a"])
    ok = client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {raw}"})
    assert ok.status_code == 200 and ok.json()["count"] == 1
    bad = client.get("/api/v1/enterprises", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["code"] == "unauthenticated"


def test_revoked_token_no_longer_works(world, login):
    client = login(world.users["city"])
    _token, raw = ApiToken.issue(world.users["city"])
    token = ApiToken.objects.get(user=world.users["city"])
    client.post(reverse("core:token_revoke", args=[token.pk]))
    client.logout()
    assert client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_create_user_cli(world, capsys):
    call_command("create_user", "gz2", role="town_officer", town="古镇镇", password="Secret-2026")
    user = User.objects.get(username="gz2")
    assert user.town.short_name == "古镇" and user.check_password("Secret-2026")
    assert AuditEntry.objects.filter(target_type="core.user", target_id=str(user.pk)).exists()
    uscc = world.enterprises["a"].uscc
    call_command("create_user", "boss", role="enterprise", organisation=uscc.lower(), password="Secret-2026")
    assert User.objects.get(username="boss").organisation_id == world.enterprises["a"].pk


@pytest.mark.parametrize("kwargs, message", [
    ({"role": "town_officer"}, "需要 --town"),
    ({"role": "town_officer", "town": "不存在镇"}, "未知镇街"),
    ({"role": "enterprise"}, "需要 --organisation"),
    ({"role": "enterprise", "organisation": "91442000MA4W0001X1"}, "校验位"),
])
def test_create_user_cli_errors(world, kwargs, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_user", "someone", password="Secret-2026", **kwargs)


def test_issue_token_cli(world, capsys):
    call_command("issue_token", "city")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("sz_") and ApiToken.objects.authenticate(raw) == world.users["city"]


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_pages_are_chinese_by_default_and_english_on_request(world, login):
    client = login(world.users["city"])
    assert "企业库" in client.get("/").content.decode()
    client.post(reverse("core:set_language"), {"language": "en", "next": "/"})
    assert "Enterprise registry" in client.get("/").content.decode()


def test_username_and_mobile_count_as_one_account(world, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 4
    user = world.users["town_a"]
    user.mobile = "13800138001"
    user.save()
    for login in ("town_a", "13800138001", "town_a", "13800138001"):
        client.post(reverse("core:login"), {"username": login, "password": "wrong"})
    response = client.post(reverse("core:login"), {"username": "town_a", "password": PASSWORD})
    assert "登录失败次数过多" in response.content.decode()


def test_a_shared_address_is_not_locked_by_a_few_typos(world, client, settings):
    """Typos by several people behind one office address don't lock out a colleague."""
    settings.LOGIN_FAILURE_LIMIT = 3
    for name in ("town_a", "town_b", "city"):
        client.post(reverse("core:login"), {"username": name, "password": "wrong"})
        client.post(reverse("core:login"), {"username": name, "password": "wrong"})
    response = client.post(reverse("core:login"), {"username": "expert", "password": PASSWORD})
    assert response.status_code == 302


def test_many_failures_from_one_address_lock_it(world, client, settings):
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 5
    for i in range(5):
        client.post(reverse("core:login"), {"username": f"guess{i}", "password": "wrong"})
    response = client.post(reverse("core:login"), {"username": "expert", "password": PASSWORD})
    assert "登录失败次数过多" in response.content.decode()


def test_admin_login_goes_through_the_throttled_login(db, client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith(reverse("core:login"))


def test_healthz_does_not_leak_database_details(db, client, monkeypatch):
    class Broken:
        vendor = "postgresql"

        def cursor(self):
            raise RuntimeError("password authentication failed for user secret_user at 10.0.0.5")

    monkeypatch.setattr("shuzhuan.core.views.connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503 and "secret_user" not in response.content.decode()


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(world, login):
    client = login(world.users["city"])
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "企业库" in page and 'lang="zh-hans"' in page
    client.post(reverse("core:set_language"), {"language": "en", "next": "/"})
    assert "Enterprise registry" in client.get("/").content.decode()
    client.post(reverse("core:set_language"), {"language": "zh-hans", "next": "/"})
    assert "企业库" in client.get("/").content.decode()


def test_issuing_and_revoking_a_token_is_audited_without_the_secret(world, login):
    client = login(world.users["town_a"])
    response = client.post(reverse("core:tokens"), {"name": "报表脚本"})
    token = ApiToken.objects.get(user=world.users["town_a"])
    issued = AuditEntry.objects.get(action="core.token.issue")
    assert (issued.actor_id, issued.target_id, issued.changes["name"]) == (world.users["town_a"].pk, str(token.pk), "报表脚本")
    raw = response.context["raw"]
    assert raw.startswith("sz_") and raw not in str(issued.changes) and raw not in issued.summary
    client.post(reverse("core:token_revoke", args=[token.pk]))
    client.post(reverse("core:token_revoke", args=[token.pk]))  # twice: one entry
    assert list(AuditEntry.objects.filter(action="core.token.revoke").values_list("target_id", flat=True)) == [str(token.pk)]
    call_command("issue_token", "city")
    assert AuditEntry.objects.filter(action="core.token.issue", actor__isnull=True).count() == 1
