"""Production error pages (DEBUG off): Chinese 404/403/500 pages, no URL list, static files still served;
and every menu entry of every role leads somewhere (the admin's 推荐方案 was a dead link)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_404_is_the_chinese_page_without_the_url_list(world, login, settings):
    settings.DEBUG = False
    response = login(world.users["city"]).get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在（404）" in html and 'id="sz-nav"' in html  # extends base: the menu is there
    assert "URLconf" not in html and "Page not found" not in html
    anonymous = Client().get("/no/such/page/")
    assert anonymous.status_code == 404 and "页面不存在（404）" in anonymous.content.decode()


def test_403_is_the_chinese_page(world, login, settings):
    settings.DEBUG = False
    response = login(world.users["ent_a"]).get("/enterprises/")
    assert response.status_code == 403 and "无权访问（403）" in response.content.decode()


def test_500_page_renders_without_a_request_context(settings, rf):
    from shuzhuan.core.views import server_error

    settings.DEBUG = False
    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and "服务器内部错误（500）" in html and "app.css" in html


def test_static_files_are_served_without_debug(client, settings):
    settings.DEBUG = False
    response = client.get("/static/shuzhuan/app.css")
    assert response.status_code == 200
    assert b"sz-sidebar" in b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("who", ["admin", "city", "town_a", "ent_a", "provider_a", "bank_a", "expert"])
def test_every_menu_entry_of_every_role_answers(world, login, who):
    from shuzhuan.core.navigation import menu_for

    client = login(world.users[who])
    request = client.get("/").wsgi_request
    links = [item["url"] for item in menu_for(request)]
    assert links
    dead = {}
    for url in links:
        response = client.get(url, follow=True)
        if response.status_code >= 400:
            dead[url] = response.status_code
    assert dead == {}
