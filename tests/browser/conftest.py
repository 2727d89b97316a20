import pytest
from conftest import PASSWORD


@pytest.fixture
def sign_in(live_server, page):
    """sign_in(username) → the Playwright page, signed in through the real login form."""

    def _sign_in(username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名或手机号").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _sign_in
