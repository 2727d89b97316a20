"""Issue 2's walk-through: a town officer imports an XLSX with good and bad rows, reads the errors,
downloads the annotated file, fixes it, imports it, and finds the result in the list and the history."""

import io

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from shuzhuan.registry.domain import make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["统一社会信用代码", "企业名称", "法定代表人", "所属镇街", "地址", "行业代码", "成立日期", "从业人数",
          "营业收入（万元）", "纳税总额", "年度"]


def workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_town_officer_imports_fixes_and_finds_enterprises(world, live_server, sign_in, tmp_path):
    existing = world.enterprises["a"]
    new_code = make_uscc("442000", "MT000001")
    bad_check = make_uscc("442000", "MT000002")[:-1] + ("0" if make_uscc("442000", "MT000002")[-1] != "0" else "1")
    other_town = make_uscc("442000", "MT000003")
    rows = [
        [new_code, "古镇晨曦灯饰有限公司", "李晨", "古镇", "古镇镇华廷路 8 号", "3872", "2016-04-12", 45, 1800, 52000, 2024],
        [existing.uscc, existing.name, "张三", "古镇镇", "古镇镇东岸北路 99 号", "C3872", "2008/5/1", 130, 4800, 1300000, 2025],
        [bad_check, "古镇星河照明有限公司", "王五", "古镇", "古镇镇曹二村", "3872", "2019年3月8日", 20, 600, 10000, 2024],
        [other_town, "小榄精工锁业有限公司", "赵六", "小榄", "小榄镇", "3351", "2012-01-01", 60, 900, 20000, 2024],
    ]
    page = sign_in("town_a")
    page.goto(f"{live_server.url}/enterprises/import/")
    first = tmp_path / "名录.xlsx"
    first.write_bytes(workbook(rows))
    page.set_input_files("#id_file", str(first))
    page.get_by_role("button", name="上传并校验").click()
    page.get_by_role("link", name="下载标注错误的文件").wait_for()
    text = page.content()
    assert "校验位" in text and "不属于本镇街" in text
    assert page.get_by_role("button", name="导入全部").count() == 0  # errors: no whole-file import

    with page.expect_download() as download:
        page.get_by_role("link", name="下载标注错误的文件").click()
    annotated = CalamineWorkbook.from_path(download.value.path()).get_sheet_by_index(0).to_python()
    notes = annotated[0].index("错误说明")
    assert annotated[1][notes] == "" and annotated[2][notes] == ""
    assert "校验位" in annotated[3][notes] and "不属于本镇街" in annotated[4][notes]

    rows[2][0] = make_uscc("442000", "MT000002")  # the right check character
    del rows[3]  # not ours to import: 小榄 imports it
    fixed = tmp_path / "名录-修正.xlsx"
    fixed.write_bytes(workbook(rows))
    page.goto(f"{live_server.url}/enterprises/import/")
    page.set_input_files("#id_file", str(fixed))
    page.get_by_role("button", name="上传并校验").click()
    page.get_by_role("button", name="导入全部").click()
    page.get_by_role("link", name="查看导入结果").or_(page.get_by_text("导入完成")).first.wait_for()

    page.goto(f"{live_server.url}/enterprises/?q=古镇")
    table = page.locator("#enterprise-table")
    for name in ("古镇晨曦灯饰有限公司", "古镇星河照明有限公司", existing.name):
        assert table.get_by_role("link", name=name).count() == 1
    table.get_by_role("link", name=existing.name).click()
    timeline = page.locator("#timeline")
    timeline.wait_for()
    assert "古镇镇东岸北路 99 号" in page.content()  # the updated address
    assert timeline.get_by_text("2025").count() >= 1  # the imported year is in the history
