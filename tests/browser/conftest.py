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


# The questionnaire's section 3 (results): last year's and the year before's figures, as a typical
# small factory fills them in (energy per revenue down 10 %, pass rate up a point).
OUTCOME_FIGURES = [
    ("上年综合能源消费量（吨标准煤）", "90"), ("上年营业收入（万元）", "1000"),
    ("前年综合能源消费量（吨标准煤）", "100"), ("前年营业收入（万元）", "1000"),
    ("上年月均产品合格率（%）", "98"), ("前年月均产品合格率（%）", "97"),
    ("上年员工人数（人）", "100"), ("前年员工人数（人）", "100"),
    ("上年成本（万元）", "800"), ("前年成本（万元）", "800"),
]
