"""Chain leaders (链主) with their imported suppliers/customers, consortia (1+1+N), and the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from conftest import make_user
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from shuzhuan.assessment.models import Assessment, Source, Status
from shuzhuan.core.models import AuditEntry, Organisation
from shuzhuan.marketplace.models import ChainLink, Consortium
from shuzhuan.marketplace.tests.scope_fixtures_match import offering, provider
from shuzhuan.registry.domain import make_uscc


def xlsx(rows, header=("统一社会信用代码", "企业名称", "关系")) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("名单.xlsx", buf.getvalue())


def assess(ent, level, on, source=Source.SELF):
    return Assessment.objects.create(enterprise=ent, source=source, status=Status.SUBMITTED, assessed_on=on, level=level,
                                     score=Decimal("50.000"))


def test_chain_import_is_atomic_and_reports_rows(world, login):
    a, b = world.enterprises["a"], world.enterprises["b"]
    c = login(world.users["city"])
    outside = make_uscc("442000", "MC000001")
    good = [(b.uscc, b.name, "供应商"), (outside, "外地配件厂", "客户"), (a.uscc.lower(), "自身", "")]
    bad = good + [("12345", "坏代码", "供应商"), (outside, "外地配件厂", "客户"), (b.uscc, "", "伙伴")]
    response = c.post(f"/market/chains/{a.uscc}/import/", {"file": xlsx(bad)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "未导入任何数据" in html and "与第 3 行重复" in html and "企业名称不能为空" in html and "伙伴" in html
    assert not ChainLink.objects.exists()
    response = c.post(f"/market/chains/{a.uscc}/import/", {"file": xlsx(good)})
    assert response.status_code == 302
    links = {(link.partner_uscc, link.relation): link for link in ChainLink.objects.all()}
    assert len(links) == 3 and links[(b.uscc, "supplier")].partner_id == b.pk
    assert links[(outside, "customer")].partner_id is None
    assert AuditEntry.objects.filter(action="chain_import", organisation_id=a.pk).exists()
    # re-import updates; replace drops what is not in the file
    c.post(f"/market/chains/{a.uscc}/import/", {"file": xlsx([(b.uscc, "永固五金（更名）", "供应商")]), "replace": "on"})
    assert list(ChainLink.objects.values_list("partner_name", flat=True)) == ["永固五金（更名）"]


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("a.xlsx", b"PK\x03\x04garbage"), "无法读取该 Excel 文件"),
    (SimpleUploadedFile("a.csv", "名称,电话\n甲,1\n".encode()), "缺少必需的列"),
    (SimpleUploadedFile("a.txt", b"x"), "只支持 .xlsx 或 .csv"),
    (SimpleUploadedFile("a.csv", b""), "空文件"),
])
def test_unusable_files_get_a_clear_answer(world, login, upload, message):
    c = login(world.users["city"])
    response = c.post(f"/market/chains/{world.enterprises['a'].uscc}/import/", {"file": upload})
    assert response.status_code == 400 and message in response.content.decode()


def test_chain_page_shows_assessed_partners_and_progress(world, login, make_partner=None):
    a, b = world.enterprises["a"], world.enterprises["b"]
    ChainLink.objects.create(leader=a, partner_uscc=b.uscc, partner_name=b.name, partner=b)
    ChainLink.objects.create(leader=a, partner_uscc=make_uscc("442000", "MC000002"), partner_name="未建档企业",
                             relation="customer")
    assess(b, 1, dt.date(2024, 3, 1))
    assess(b, 2, dt.date(2025, 2, 1))
    city = login(world.users["city"])
    page = city.get(f"/market/chains/{a.uscc}/")
    prog = page.context["prog"]
    assert prog.members == 1 and prog.now.by_level == (0, 0, 1, 0, 0)
    assert [d.by_level for d in prog.years if d.label in ("2024", "2025")] == [(0, 1, 0, 0, 0), (0, 0, 1, 0, 0)]
    assert a.name in city.get("/market/chains/").content.decode()
    from shuzhuan.assessment.results import refresh_official

    refresh_official([b.pk])
    with CaptureQueriesContext(connection) as ctx:
        row = city.get("/market/chains/").context["page"].object_list[0]
    assert (row.n_suppliers, row.n_customers, row.n_assessed, row.n_level2) == (1, 1, 1, 1)
    assert len(ctx.captured_queries) == 5  # pinned
    # the leader's town officer sees the list, but not the level of a partner in another town
    town = login(world.users["town_a"]).get(f"/market/chains/{a.uscc}/")
    assert town.status_code == 200 and "不公开" in town.content.decode()
    assert login(world.users["town_b"]).get(f"/market/chains/{a.uscc}/").status_code == 404
    with CaptureQueriesContext(connection) as ctx:
        city.get(f"/market/chains/{a.uscc}/")
    assert len(ctx.captured_queries) == 4  # pinned
    assert city.get("/market/chains/template/").status_code == 200


def test_consortium_pages(world, login):
    a, b = world.enterprises["a"], world.enterprises["b"]
    prov = provider(world.orgs["provider_a"], town=world.towns["a"])
    off = offering(prov, "灯饰设计协同平台", scenarios=("S01",), industries=("387",))
    cons = Consortium.objects.create(name="照明灯饰产业生态联合体", sector="照明灯饰", traction_unit=Organisation.objects.get(pk=a.pk),
                                     lead_provider=prov)
    cons.members.add(Organisation.objects.get(pk=a.pk), Organisation.objects.get(pk=b.pk), world.orgs["provider_a"])
    cons.offerings.add(off)
    assess(a, 2, dt.date(2025, 1, 1))
    assess(b, 1, dt.date(2025, 1, 1), source=Source.ONSITE)
    city = login(world.users["city"])
    listing = city.get("/market/consortia/")
    row = listing.context["items"][0]
    assert (row.n_enterprises, row.n_providers, row.n_offerings) == (2, 1, 1)
    detail = city.get(f"/market/consortia/{cons.pk}/")
    assert detail.context["prog"].now.by_level == (0, 1, 1, 0, 0) and "灯饰设计协同平台" in detail.content.decode()
    # a town officer sees its own member firms and their figures only (issue 10 item 8)
    town = login(world.users["town_a"]).get(f"/market/consortia/{cons.pk}/")
    assert town.status_code == 200 and town.context["n_enterprises"] == 1
    assert town.context["prog"].now.by_level == (0, 0, 1, 0, 0)
    assert [m.pk for m, _level in town.context["member_rows"] if m.kind == "enterprise"] == [a.pk]
    assert b.name not in town.content.decode()
    ent_a = login(world.users["ent_a"])
    page = ent_a.get(f"/market/consortia/{cons.pk}/").content.decode()
    assert "不公开" in page  # enterprise b's level stays private to a fellow member
    # a provider outside the consortium does not learn it exists; a bank's role has no consortium pages
    outsider = make_user("provider_b", "provider", organisation=world.orgs["provider_b"])
    assert login(outsider).get(f"/market/consortia/{cons.pk}/").status_code == 404
    assert login(world.users["bank_a"]).get(f"/market/consortia/{cons.pk}/").status_code == 403


def test_recommendations_api(world, login):
    prov = provider(world.orgs["provider_a"], town=world.towns["a"], stars="4.0")
    offering(prov, "质量追溯小程序", scenarios=("S07",), industries=("38",), price="50000.00", discount="10")
    a = world.enterprises["a"]
    c = login(world.users["ent_a"])
    from shuzhuan.marketplace.models import Need

    need = Need.objects.create(enterprise=a, text="品质问题追不到源头", scenarios=["S07"], budget=Decimal("60000.00"))
    body = c.get(f"/api/v1/marketplace/recommendations/{a.uscc}?need={need.pk}").json()
    assert body["need_scenarios"] == ["S07"] and body["budget"] == "60000.00"
    item = body["items"][0]
    assert item["offering"]["pilot_price"] == "45000.00" and item["rank"] == 1
    # points travel as numbers with one decimal: their decimal forms add up exactly to the score
    assert Decimal(str(item["score"])) == sum(Decimal(str(comp["points"])) for comp in item["components"])
    assert c.get(f"/api/v1/marketplace/recommendations/{a.uscc}?limit=0").status_code == 422
    assert c.get(f"/api/v1/marketplace/recommendations/{a.uscc}?need=999999").status_code == 404
    assert c.get(f"/api/v1/marketplace/recommendations/{world.enterprises['b'].uscc}").status_code == 404
    assert login(world.users["provider_a"]).get(f"/api/v1/marketplace/recommendations/{a.uscc}").status_code == 403


def test_a_partner_registered_after_the_leaders_list_is_linked(world, tmp_path):
    """The leader's list names a supplier not yet in the registry; when the registry imports it,
    the marketplace's hook (registered in ready()) links it, so the chain figures count it."""
    from shuzhuan.registry.imports.service import import_file
    from shuzhuan.registry.tests.test_import_service import row, uscc, write_csv

    leader = world.enterprises["a"]
    link = ChainLink.objects.create(leader=leader, partner_uscc=uscc(7), partner_name="后来建档的供应商", relation="supplier")
    other = ChainLink.objects.create(leader=leader, partner_uscc=uscc(8), partner_name="仍未建档", relation="supplier")
    report = import_file(write_csv(tmp_path / "partners.csv", [row(7)]))
    assert report.created == 1
    link.refresh_from_db()
    other.refresh_from_db()
    assert link.partner is not None and link.partner.uscc == uscc(7)
    assert other.partner is None
    # a dry run adds nothing and links nothing
    third = ChainLink.objects.create(leader=leader, partner_uscc=uscc(9), partner_name="试导入", relation="customer")
    import_file(write_csv(tmp_path / "trial.csv", [row(9)]), dry_run=True)
    third.refresh_from_db()
    assert third.partner is None
