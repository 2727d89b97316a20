"""The city builds and maintains consortia (1+1+N) on pages; chain leaders are designated by importing
their lists, with an annotated file to download when the list has errors."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shuzhuan.core.models import AuditEntry, Job, Organisation
from shuzhuan.marketplace.models import ChainLink, Consortium, OfferingStatus
from shuzhuan.marketplace.services.consortia import parse_codes
from shuzhuan.marketplace.tests.scope_fixtures_match import offering, provider
from shuzhuan.marketplace.tests.test_match_chains import xlsx
from shuzhuan.registry.domain import make_uscc


def test_parse_codes_accepts_what_people_paste():
    text = " 91442000a1\n91442000A1，91442000B2、91442000C3；\t91442000D4 ,"
    assert parse_codes(text) == ["91442000A1", "91442000B2", "91442000C3", "91442000D4"]
    assert parse_codes("") == [] and parse_codes(" ,\n") == []


@pytest.fixture
def lamp(world):
    """An admitted provider with two published offerings and one draft, and a consortium for lighting."""
    prov = provider(world.orgs["provider_a"], town=world.towns["a"])
    other = provider(world.orgs["provider_b"], town=world.towns["b"])
    return {
        "prov": prov, "other": other,
        "design": offering(prov, "灯饰设计协同平台", scenarios=("S01",)),
        "mes": offering(prov, "灯具车间报工小程序", scenarios=("S06",)),
        "draft": offering(prov, "未发布的草稿", status=OfferingStatus.DRAFT),
        "foreign": offering(other, "别家的排产系统", scenarios=("S05",)),
    }


def create(c, world, lamp, **extra):
    data = {"name": "照明灯饰产业生态联合体", "sector": "照明灯饰", "traction_uscc": world.enterprises["a"].uscc,
            "lead_provider": lamp["prov"].pk, "description": "古镇灯饰"} | extra
    return c.post("/market/consortia/new/", data)


def test_city_creates_a_consortium_and_its_fixed_members_join(world, login, lamp):
    c = login(world.users["city"])
    assert "建立联合体" in c.get("/market/consortia/").content.decode()
    response = create(c, world, lamp)
    assert response.status_code == 302
    cons = Consortium.objects.get()
    assert (cons.traction_unit_id, cons.lead_provider_id) == (world.enterprises["a"].pk, lamp["prov"].pk)
    assert set(cons.members.values_list("pk", flat=True)) == {world.enterprises["a"].pk, lamp["prov"].pk}
    assert AuditEntry.objects.filter(action="consortium.create", target_id=str(cons.pk)).exists()
    # the enterprise's own timeline says it joined
    assert AuditEntry.objects.filter(action="consortium.member_add", organisation_id=world.enterprises["a"].pk).exists()
    page = c.get(f"/market/consortia/{cons.pk}/").content.decode()
    assert "变更记录" in page and "建立产业生态联合体" in page

    # edit: change the sector, audited with the change
    response = c.post(f"/market/consortia/{cons.pk}/edit/", {
        "name": cons.name, "sector": "灯饰照明", "traction_uscc": world.enterprises["a"].uscc, "lead_provider": ""})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="consortium.update")
    assert entry.changes["sector"] == ["照明灯饰", "灯饰照明"] and entry.changes["lead_provider"][1] is None


@pytest.mark.parametrize("code, message", [
    ("12345", "统一社会信用代码"),
    (make_uscc("442000", "MC000091"), "平台上没有统一社会信用代码为"),
])
def test_bad_traction_unit_is_a_clear_error(world, login, lamp, code, message):
    response = create(login(world.users["city"]), world, lamp, traction_uscc=code)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Consortium.objects.exists()


def test_adding_members_says_what_could_not_be_added(world, login, lamp):
    c = login(world.users["city"])
    create(c, world, lamp)
    cons = Consortium.objects.get()
    unknown = make_uscc("442000", "MC000092")
    pasted = "\n".join([world.enterprises["b"].uscc, world.enterprises["a"].uscc, unknown, "坏代码",
                        world.orgs["bank_a"].uscc, world.orgs["provider_b"].uscc])
    response = c.post(f"/market/consortia/{cons.pk}/members/", {"codes": pasted}, follow=True)
    text = response.content.decode()
    assert "已添加 2 家成员" in text
    assert "已是成员" in text and unknown in text and "代码有误" in text and "只能添加企业或服务商" in text
    assert set(cons.members.values_list("pk", flat=True)) == {
        world.enterprises["a"].pk, world.enterprises["b"].pk, lamp["prov"].pk, lamp["other"].pk}
    assert AuditEntry.objects.filter(action="consortium.member_add", organisation_id=world.enterprises["b"].pk).exists()
    # an empty paste is an error, not a 500
    response = c.post(f"/market/consortia/{cons.pk}/members/", {"codes": "  "}, follow=True)
    assert "请至少填写一个统一社会信用代码" in response.content.decode()


def test_catalogue_takes_only_published_offerings_of_member_providers(world, login, lamp):
    c = login(world.users["city"])
    create(c, world, lamp)
    cons = Consortium.objects.get()
    page = c.get(f"/market/consortia/{cons.pk}/catalogue/").content.decode()
    assert "灯饰设计协同平台" in page and "未发布的草稿" not in page and "别家的排产系统" not in page
    ids = [lamp[k].pk for k in ("design", "mes", "draft", "foreign")] + ["x"]
    response = c.post(f"/market/consortia/{cons.pk}/catalogue/", {"offering": ids})
    assert response.status_code == 302
    assert set(cons.offerings.values_list("pk", flat=True)) == {lamp["design"].pk, lamp["mes"].pk}
    # the other provider joins: its product becomes eligible; when it leaves, its product leaves the catalogue
    c.post(f"/market/consortia/{cons.pk}/members/", {"codes": world.orgs["provider_b"].uscc})
    c.post(f"/market/consortia/{cons.pk}/catalogue/", {"offering": [lamp["design"].pk, lamp["foreign"].pk]})
    assert set(cons.offerings.values_list("pk", flat=True)) == {lamp["design"].pk, lamp["foreign"].pk}
    c.post(f"/market/consortia/{cons.pk}/members/", {"remove": lamp["other"].pk})
    assert set(cons.offerings.values_list("pk", flat=True)) == {lamp["design"].pk}
    assert not cons.members.filter(pk=lamp["other"].pk).exists()
    # a product withdrawn later is flagged on the page before saving drops it
    lamp["design"].status = OfferingStatus.WITHDRAWN
    lamp["design"].save(update_fields=["status"])
    page = c.get(f"/market/consortia/{cons.pk}/catalogue/")
    assert [o.pk for o in page.context["stale"]] == [lamp["design"].pk] and "保存后将移出目录" in page.content.decode()
    removal = AuditEntry.objects.get(action="consortium.member_remove")
    assert removal.organisation_id == lamp["other"].pk and removal.changes["offerings_removed"][0] == 1


def test_the_traction_unit_cannot_be_removed_and_junk_is_refused(world, login, lamp):
    c = login(world.users["city"])
    create(c, world, lamp)
    cons = Consortium.objects.get()
    for value, message in ((world.enterprises["a"].pk, "牵引单位和平台/服务商不能移出"), ("abc", "无法识别"),
                           (world.enterprises["b"].pk, "不是本联合体成员")):
        response = c.post(f"/market/consortia/{cons.pk}/members/", {"remove": value}, follow=True)
        assert response.status_code == 200 and message in response.content.decode()
    assert cons.members.filter(pk=world.enterprises["a"].pk).exists()


@pytest.mark.parametrize("who", ["town_a", "ent_a", "provider_a"])
def test_only_the_city_manages_consortia(world, login, lamp, who):
    cons = Consortium.objects.create(name="联合体", sector="照明", traction_unit=Organisation.objects.get(pk=world.enterprises["a"].pk),
                                     lead_provider=lamp["prov"])
    cons.members.add(world.enterprises["a"].pk, lamp["prov"].pk)
    c = login(world.users[who])
    page = c.get(f"/market/consortia/{cons.pk}/")
    assert page.status_code == 200 and "调整目录" not in page.content.decode() and "变更记录" not in page.content.decode()
    assert c.get("/market/consortia/new/").status_code == 403
    assert c.post(f"/market/consortia/{cons.pk}/edit/", {"name": "改名"}).status_code == 403
    assert c.post(f"/market/consortia/{cons.pk}/members/", {"codes": world.enterprises["b"].uscc}).status_code == 403
    assert c.post(f"/market/consortia/{cons.pk}/catalogue/", {"offering": [lamp["mes"].pk]}).status_code == 403
    assert cons.members.count() == 2 and not cons.offerings.exists()


# --- chain leaders -----------------------------------------------------------------------------------------
def test_an_officer_import_designates_the_chain_leader_in_the_registry(world, login):
    a, b = world.enterprises["a"], world.enterprises["b"]
    assert not a.chain_leader
    c = login(world.users["town_a"])
    response = c.get("/market/chains/", {"add": a.uscc})
    assert response.status_code == 302 and response.url == f"/market/chains/{a.uscc}/import/"
    response = c.post(f"/market/chains/{a.uscc}/import/", {"file": xlsx([(b.uscc, b.name, "供应商")])}, follow=True)
    assert "已在企业库中将该企业标记为链主企业" in response.content.decode()
    a.refresh_from_db()
    assert a.chain_leader
    flag = AuditEntry.objects.get(action="update", organisation_id=a.pk)
    assert flag.changes == {"chain_leader": [False, True]} and flag.reason == "导入链主上下游名单"
    # a second import does not write the flag again
    c.post(f"/market/chains/{a.uscc}/import/", {"file": xlsx([(b.uscc, b.name, "客户")])})
    assert AuditEntry.objects.filter(action="update", organisation_id=a.pk).count() == 1


def test_the_add_box_does_not_reach_other_towns(world, login):
    c = login(world.users["town_a"])
    response = c.get("/market/chains/", {"add": world.enterprises["b"].uscc})
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有这个统一社会信用代码" in html and world.enterprises["b"].name not in html


def test_an_enterprise_keeps_its_list_only_once_designated(world, login):
    a, b = world.enterprises["a"], world.enterprises["b"]
    c = login(world.users["ent_a"])
    response = c.post(f"/market/chains/{a.uscc}/import/", {"file": xlsx([(b.uscc, b.name, "供应商")])}, follow=True)
    assert "链主企业由镇街或市工业和信息化局认定" in response.content.decode()
    assert not ChainLink.objects.exists()
    assert "导入上下游名单</a>" not in c.get(f"/market/chains/{a.uscc}/").content.decode()
    a.chain_leader = True
    a.save(update_fields=["chain_leader"])
    response = c.post(f"/market/chains/{a.uscc}/import/", {"file": xlsx([(b.uscc, b.name, "供应商")])})
    assert response.status_code == 302 and ChainLink.objects.count() == 1


def test_a_list_with_errors_comes_back_annotated(world, login):
    a, b = world.enterprises["a"], world.enterprises["b"]
    c = login(world.users["city"])
    rows = [("名单说明：2026 年主要供应商", None, None), ("统一社会信用代码", "企业名称", "关系"),
            (b.uscc, b.name, "供应商"), ("12345", "坏代码厂", "供应商"), (b.uscc, "", "伙伴")]
    response = c.post(f"/market/chains/{a.uscc}/import/", {"file": xlsx(rows, header=("链主上下游名单",))})
    assert response.status_code == 400
    job = response.context["errors_job"]
    assert job is not None and f"/jobs/{job.pk}/download/" in response.content.decode()
    download = c.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[2][3] == "错误说明"  # the header found on row 3 (a title row and a note above it)
    assert values[3][:3] == [b.uscc, b.name, "供应商"] and (len(values[3]) < 4 or values[3][3] is None)
    assert "统一社会信用代码" in values[4][3] and "企业名称不能为空" in values[5][3] and "伙伴" in values[5][3]
    assert not ChainLink.objects.exists()
    # the annotated file is the uploader's: nobody else downloads it
    assert login(world.users["town_a"]).get(f"/jobs/{job.pk}/download/").status_code == 404
    assert Job.objects.filter(kind="chain_import_errors").count() == 1
