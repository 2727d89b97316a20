"""Four-eyes on a payout batch in a real browser (issue 10 item 3): one city officer drafts the batch,
the same officer is refused its review, a second reviews, a third approves; every step states the
batch's total and needs its checkbox; the payee's account shows masked."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_draft_review_approve_by_three_officers(world, live_server, sign_in, page):
    from conftest import make_user

    from shuzhuan.programs.models import PayoutBatch
    from shuzhuan.programs.tests.factories import drive, fund, make_programme

    programme = make_programme()
    fund(programme)
    project = drive(world, "city_approved")  # 400,000.00 yuan, payee account on file
    make_user("city2", "city_officer")
    make_user("city3", "city_officer")
    base = live_server.url

    def switch(username: str):
        page.context.clear_cookies()
        return sign_in(username)

    # the first officer drafts the batch …
    switch("city")
    page.goto(f"{base}/programs/batches/")
    page.get_by_role("button", name="编制批次").click()
    page.get_by_text("已编制兑现批次").wait_for()
    batch = PayoutBatch.objects.get()
    page.goto(f"{base}/programs/batches/{batch.pk}/")
    assert page.locator("#batch-projects").get_by_text("************2222").is_visible()
    assert "6222000011112222" not in page.content()
    # … and may not review it: the step is refused with the reason
    assert page.get_by_role("button", name="复核通过").is_disabled()
    assert "编制本批次的人员不能复核本批次" in page.locator("#batch-why").inner_text()

    # a second officer reviews, confirming the stated total
    switch("city2")
    page.goto(f"{base}/programs/batches/{batch.pk}/")
    page.get_by_label("确认复核通过：1 个项目，合计 400,000.00 元").check()
    page.get_by_role("button", name="复核通过").click()
    page.locator("#batch-state", has_text="已复核").wait_for()
    # the reviewer may not approve
    assert page.get_by_role("button", name="审批通过").is_disabled()
    assert "四眼原则" in page.locator("#batch-why").inner_text()

    # a third officer approves
    switch("city3")
    page.goto(f"{base}/programs/batches/{batch.pk}/")
    page.get_by_label("确认审批通过：1 个项目，合计 400,000.00 元").check()
    page.get_by_role("button", name="审批通过").click()
    page.locator("#batch-state", has_text="已审批").wait_for()
    batch.refresh_from_db()
    assert (batch.created_by.username, batch.reviewed_by.username, batch.approved_by.username) == ("city", "city2", "city3")
    project.refresh_from_db()
    assert project.state == "in_batch"
