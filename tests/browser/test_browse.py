"""A city officer and a town officer browse the registry in a real browser."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_officer_filters_sorts_and_opens_a_profile(world, live_server, sign_in):
    page = sign_in("city")
    assert page.get_by_text("在库企业").is_visible()
    page.get_by_role("link", name="企业库（一企一档）").first.click()
    table = page.locator("#enterprise-table")
    assert table.get_by_text("小榄永固五金制品有限公司").is_visible()
    page.get_by_label("镇街").select_option("古镇")
    page.get_by_role("button", name="筛选").click()
    assert table.get_by_text("古镇明辉灯饰有限公司").is_visible()
    assert table.get_by_text("小榄永固五金制品有限公司").count() == 0
    page.get_by_role("link", name="营业收入（万元）").click()
    assert "sort=revenue" in page.url and "town=" in page.url
    table.get_by_role("link", name="古镇明辉灯饰有限公司").click()
    page.get_by_role("heading", name="古镇明辉灯饰有限公司").wait_for()
    page.locator("#year-chart canvas").wait_for()  # ECharts drew the chart
    assert page.get_by_text("档案时间线").is_visible()


def test_town_officer_sees_only_their_town(world, live_server, sign_in):
    page = sign_in("town_a")
    page.goto(f"{live_server.url}/enterprises/")
    assert page.get_by_text("古镇明辉灯饰有限公司").is_visible()
    assert page.get_by_text("小榄永固五金制品有限公司").count() == 0
    response = page.goto(f"{live_server.url}/enterprises/{world.enterprises['b'].uscc}/")
    assert response.status == 404
