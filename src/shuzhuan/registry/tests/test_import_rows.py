"""Pure tests of the import's row rules: headers, cells, validation (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuzhuan.core.domain import normalise_town_text
from shuzhuan.registry.domain import make_uscc
from shuzhuan.registry.imports.rows import (
    CellError,
    HeaderError,
    RowValidator,
    header_key,
    map_headers,
    parse_bool,
    parse_count,
    parse_date,
    parse_industry_code,
    parse_money,
    parse_year,
    row_key,
    split_header,
    template_headers,
)

TODAY = dt.date(2025, 6, 30)
USCC = make_uscc("442000", "MA4W0001")
OTHER_USCC = make_uscc("442000", "MA4W0002")
TOWNS = {normalise_town_text(alias): town for town, names in {
    1: ["古镇", "古镇镇", "442000105000", "442000105"], 2: ["小榄", "小榄镇", "东升"], 3: ["石岐", "石岐街道"],
}.items() for alias in names}
INDUSTRIES = {"3872", "3351", "1810"}
HEADERS = ["统一社会信用代码", "企业名称", "法定代表人", "所属镇街", "地址", "行业代码", "成立日期", "从业人数",
           "营业收入（万元）", "纳税总额", "年度"]


def validator(headers=HEADERS, **kwargs) -> RowValidator:
    return RowValidator(map_headers(headers), towns=TOWNS, industries=INDUSTRIES, today=TODAY, **kwargs)


def good_row(**overrides) -> list:
    row = {"统一社会信用代码": USCC, "企业名称": "古镇明辉灯饰有限公司", "法定代表人": "张三", "所属镇街": "古镇",
           "地址": "古镇路 1 号", "行业代码": "C3872", "成立日期": "2019-03-08", "从业人数": "120",
           "营业收入（万元）": "4,500", "纳税总额": "120万元", "年度": "2024"}
    row.update(overrides)
    return [row[h] for h in HEADERS]


# --- headers -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "key", "scale"), [
    ("营业收入（万元）", "营业收入", 10000),
    ("营业收入(万元)", "营业收入", 10000),
    ("营业收入万元", "营业收入", 10000),
    ("营业收入（元）", "营业收入", 1),
    ("*统一社会信用代码", "统一社会信用代码", 1),
    ("Legal Representative", "legalrepresentative", 1),
    ("revenue (10k yuan)", "revenue", 10000),
    ("  年 度 ", "年度", 1),
])
def test_header_key(text, key, scale):
    assert header_key(text) == (key, Decimal(scale))


def test_headers_in_english_any_order_map_to_fields():
    columns = map_headers(["year", "Town", "Name", "USCC", "unknown column", "Revenue"])
    assert {c.field: c.index for c in columns} == {"year": 0, "town": 1, "name": 2, "uscc": 3, "revenue": 5}
    assert columns[1].header == "Town"


def test_missing_required_headers_named_in_chinese():
    with pytest.raises(HeaderError) as exc:
        map_headers(["企业名称", "地址"])
    assert exc.value.code == "missing_headers"
    assert "统一社会信用代码" in exc.value.message and "年度" in exc.value.message


def test_duplicate_header_refused():
    with pytest.raises(HeaderError) as exc:
        map_headers(["统一社会信用代码", "企业名称", "名称", "镇街", "年度"])
    assert exc.value.code == "duplicate_header"


def test_title_rows_above_the_header_are_skipped():
    rows = [(1, ["2024 年企业名录"]), (2, []), (3, HEADERS), (4, good_row())]
    header_row, columns, rest = split_header(iter(rows))
    assert header_row == 3 and len(columns) == len(HEADERS)
    assert [n for n, _ in rest] == [4]


def test_empty_input_has_no_header():
    with pytest.raises(HeaderError) as exc:
        split_header(iter([]))
    assert exc.value.code == "empty_file"


def test_template_headers_are_all_recognised():
    assert len(map_headers(template_headers())) == len(template_headers())


# --- cells ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "scale", "expected"), [
    ("120万元", 1, "1200000.00"),
    ("1,234.5元", 10000, "1234.50"),
    ("１２０", 10000, "1200000.00"),
    ("4,500", 10000, "45000000.00"),
    ("¥ 1,000", 1, "1000.00"),
    ("0.005", 1, "0.01"),
    (12.5, 1, "12.50"),
    (3, 10000, "30000.00"),
    ("1.2亿元", 1, "120000000.00"),
])
def test_money(value, scale, expected):
    result = parse_money(value, Decimal(scale))
    assert result == Decimal(expected) and isinstance(result, Decimal) and result.as_tuple().exponent == -2


@pytest.mark.parametrize(("value", "code"), [
    ("abc", "invalid_number"), ("-1", "negative"), ("12人", "invalid_number"), (float("nan"), "invalid_number"),
    ("1" * 20, "too_large"), (True, "invalid_number"),
])
def test_money_errors(value, code):
    with pytest.raises(CellError) as exc:
        parse_money(value, Decimal(1))
    assert exc.value.code == code


@given(st.decimals(min_value=0, max_value=Decimal("999999999999"), places=2))
def test_money_round_trips_with_separators(amount):
    assert parse_money(f"{amount:,}", Decimal(1)) == amount
    assert parse_money(str(amount), Decimal(1)) == amount


@pytest.mark.parametrize(("value", "expected"), [("120", 120), ("120人", 120), (12.0, 12), ("１,２００", 1200), ("0", 0)])
def test_count(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize(("value", "code"), [("12.5", "not_integer"), ("-3", "negative"), ("很多", "invalid_number")])
def test_count_errors(value, code):
    with pytest.raises(CellError) as exc:
        parse_count(value)
    assert exc.value.code == code


@pytest.mark.parametrize("value", ["2024", 2024.0, "2024年", "2024年度", "２０２４"])
def test_year(value):
    assert parse_year(value, 2026) == 2024


@pytest.mark.parametrize(("value", "code"), [("1980", "year_out_of_range"), ("2030", "year_out_of_range"),
                                            ("二〇二四", "invalid_year"), ("2024.5", "invalid_year")])
def test_year_errors(value, code):
    with pytest.raises(CellError) as exc:
        parse_year(value, 2026)
    assert exc.value.code == code


@pytest.mark.parametrize("value", [
    "2019-03-08", "2019/3/8", "2019.3.8", "2019年3月8日", "20190308", "2019-03-08 00:00:00", 43532, 43532.0, "43532",
    dt.date(2019, 3, 8), dt.datetime(2019, 3, 8, 9, 30),
])
def test_dates(value):
    assert parse_date(value, TODAY) == dt.date(2019, 3, 8)


@pytest.mark.parametrize(("value", "code"), [
    ("2019-02-30", "invalid_date"), ("去年", "invalid_date"), ("2030-01-01", "date_out_of_range"), (-5, "invalid_date"),
])
def test_date_errors(value, code):
    with pytest.raises(CellError) as exc:
        parse_date(value, TODAY)
    assert exc.value.code == code


@pytest.mark.parametrize("value", ["3872", "C3872", "c 3872", 3872.0, "3872 照明灯具制造"])
def test_industry_code(value):
    assert parse_industry_code(value) == "3872"


@pytest.mark.parametrize(("value", "code"), [
    ("B0610", "industry_not_manufacturing"), ("387", "industry_not_class"), ("照明", "invalid_industry"),
])
def test_industry_code_errors(value, code):
    with pytest.raises(CellError) as exc:
        parse_industry_code(value)
    assert exc.value.code == code


@pytest.mark.parametrize(("value", "expected"), [("是", True), ("否", False), ("Y", True), (True, True), (0.0, False)])
def test_booleans(value, expected):
    assert parse_bool(value, "高新技术企业") is expected


# --- rows ----------------------------------------------------------------------------------------
def test_good_row_is_clean():
    values, errors = validator().validate(2, good_row())
    assert errors == []
    assert values == {
        "uscc": USCC, "name": "古镇明辉灯饰有限公司", "legal_representative": "张三", "town": 1, "address": "古镇路 1 号",
        "industry": "3872", "founded_on": dt.date(2019, 3, 8), "employees": 120,
        "revenue": Decimal("45000000.00"), "tax": Decimal("1200000.00"), "year": 2024,
    }


def test_empty_optional_cells_are_left_out_and_required_ones_reported():
    values, errors = validator().validate(5, good_row(企业名称=" ", 地址="", 从业人数=None))
    assert [(e.row, e.column, e.code) for e in errors] == [(5, "企业名称", "required")]
    assert "address" not in values and "employees" not in values


def test_uscc_float_cell_is_scientific_notation():
    _, errors = validator().validate(2, good_row(统一社会信用代码=9.14420001e17))
    assert errors[0].code == "uscc_scientific_notation" and "科学计数法" in errors[0].message


def test_uscc_is_normalised_and_checked():
    fullwidth = USCC.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"})
    values, errors = validator().validate(2, good_row(统一社会信用代码=f" {fullwidth.lower()} "))
    assert errors == [] and values["uscc"] == USCC
    bad = USCC[:17] + ("0" if USCC[17] != "0" else "1")
    _, errors = validator().validate(2, good_row(统一社会信用代码=bad))
    assert errors[0].code == "uscc_check_digit" and bad in errors[0].message


@pytest.mark.parametrize(("town", "expected"), [("古镇", 1), ("古镇镇", 1), ("442000105000", 1), (442000105000.0, 1),
                                                ("东升", 2), ("石岐街道", 3)])
def test_towns_by_name_suffix_or_code(town, expected):
    values, errors = validator().validate(2, good_row(所属镇街=town))
    assert errors == [] and values["town"] == expected


def test_unknown_town_and_industry():
    _, errors = validator().validate(7, good_row(所属镇街="火星", 行业代码="9999"))
    assert {(e.column, e.code) for e in errors} == {("所属镇街", "unknown_town"), ("行业代码", "unknown_industry")}
    assert all(e.row == 7 for e in errors)
    assert "火星" in errors[0].message


def test_town_officer_scope():
    check = validator(scope_town=1, scope_label="古镇")
    assert check.validate(2, good_row())[1] == []
    _, errors = check.validate(3, good_row(所属镇街="小榄"))
    assert errors[0].code == "town_out_of_scope" and "不属于本镇街" in errors[0].message


def test_duplicate_in_file_names_the_first_row():
    check = validator()
    assert check.validate(2, good_row())[1] == []
    assert check.validate(3, good_row(年度="2023"))[1] == []
    assert check.validate(4, good_row(统一社会信用代码=OTHER_USCC))[1] == []
    _, errors = check.validate(9, good_row(企业名称="改名"))
    assert [(e.code, e.column) for e in errors] == [("duplicate_in_file", "统一社会信用代码")]
    assert "第 2 行" in errors[0].message


def test_row_key_is_exact():
    assert row_key(USCC, 2024) != row_key(USCC, 2023) != row_key(OTHER_USCC, 2024)
    assert row_key(USCC, 2024) == row_key(USCC, 2024)


def test_short_rows_are_padded():
    values, errors = validator().validate(2, [USCC, "某公司", "", "古镇"])
    assert [e.column for e in errors] == ["年度"]


junk = st.one_of(st.none(), st.text(max_size=40), st.floats(allow_nan=True), st.integers(), st.booleans(),
                 st.dates(), st.datetimes())


@given(st.lists(junk, min_size=0, max_size=len(HEADERS) + 2))
def test_any_cells_give_values_or_errors_never_an_exception(cells):
    values, errors = validator().validate(2, cells)
    assert errors or set(values) >= {"uscc", "name", "town", "year"}
    for error in errors:
        assert error.code and error.message and error.column in HEADERS
