"""The public policy library: every policy with its sources, parameters, rules and test cases."""

from __future__ import annotations

from shuzhuan.policy import library


def test_anonymous_reads_the_library(client, db) -> None:
    response = client.get("/policy/")
    assert response.status_code == 200
    text = response.content.decode()
    for policy in library.all_policies():
        assert f'id="{policy.code}"' in text and policy.title in text
    assert "中府〔2022〕1号" in text
    assert "示范工厂奖励上限" in text and "5,000,000.00 元" in text
    assert "扣除已获示范车间奖励（补差额）" in text  # the difference rule, in words
    assert "核定 600 万、已获车间 200 万" in text  # a test case
    assert "未核实" in text  # the cluster pilot's demo coefficients are marked


def test_library_query_count(client, db, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(3):
        client.get("/policy/")


def test_admin_pages(world, client) -> None:
    client.force_login(world.users["admin"])
    for model in ("recognition", "policyrun", "entitlement"):
        assert client.get(f"/admin/policy/{model}/").status_code == 200, model
    assert client.get("/admin/policy/entitlement/add/").status_code == 403  # read-only
