"""Import rows in pure Python: header mapping, cell parsing and per-row validation. No Django imports.

A row is a sequence of raw cell values as a reader gives them (str from CSV; str, float, bool,
date or datetime from XLSX). `RowValidator.validate` turns it into a clean dict of the fields
present (empty optional cells are left out: an import never erases a stored value) or errors.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shuzhuan.core.domain import CENT, max_yuan, normalise_town_text, to_halfwidth
from shuzhuan.registry.domain import USCC_ALPHABET, UsccError, uscc_check_char, validate_uscc

# --- columns: field → Chinese label (template header), and accepted header aliases ---------------
LABELS: dict[str, str] = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "legal_representative": "法定代表人",
    "town": "所属镇街",
    "address": "地址",
    "industry": "行业代码",
    "founded_on": "成立日期",
    "employees": "从业人数",
    "revenue": "营业收入（元）",
    "tax": "纳税总额（元）",
    "year": "年度",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "contact_email": "联系邮箱",
    "zjtx_tier": "专精特新",
    "high_tech": "高新技术企业",
    "chain_leader": "链主企业",
    "cultivation_directory": "上规上限培育库",
    "on_cloud": "上云用平台",
}
REQUIRED: tuple[str, ...] = ("uscc", "name", "town", "year")
PROFILE_FIELDS: tuple[str, ...] = (
    "legal_representative", "town", "address", "industry", "founded_on", "contact_name", "contact_phone",
    "contact_email", "zjtx_tier", "high_tech", "chain_leader", "cultivation_directory", "on_cloud",
)
YEAR_FIELDS: tuple[str, ...] = ("employees", "revenue", "tax")

ALIASES: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "uscc", "credit code", "unified social credit code"),
    "name": ("企业名称", "企业全称", "单位名称", "名称", "name", "enterprise name", "company name"),
    "legal_representative": ("法定代表人", "法人代表", "法人", "legal representative", "legal person"),
    "town": ("所属镇街", "镇街", "所在镇街", "镇区", "所属镇区", "town"),
    "address": ("地址", "企业地址", "注册地址", "经营地址", "address"),
    "industry": ("行业代码", "国民经济行业代码", "行业分类代码", "行业小类代码", "industry", "industry code"),
    "founded_on": ("成立日期", "成立时间", "注册日期", "founded on", "founded", "founding date", "established"),
    "employees": ("从业人数", "从业人员", "从业人员数", "职工人数", "员工人数", "employees"),
    "revenue": ("营业收入", "主营业务收入", "营收", "revenue"),
    "tax": ("纳税总额", "纳税额", "税收", "实缴税金", "tax"),
    "year": ("年度", "数据年度", "年份", "year"),
    "contact_name": ("联系人", "contact", "contact name"),
    "contact_phone": ("联系电话", "联系方式", "电话", "手机", "contact phone", "phone"),
    "contact_email": ("联系邮箱", "电子邮箱", "邮箱", "email", "contact email"),
    "zjtx_tier": ("专精特新", "专精特新等级", "专精特新类型", "zjtx tier", "zjtx"),
    "high_tech": ("高新技术企业", "高企", "high tech"),
    "chain_leader": ("链主企业", "链主", "chain leader"),
    "cultivation_directory": ("上规上限培育库", "培育库", "cultivation directory"),
    "on_cloud": ("上云用平台", "上云", "on cloud"),
}

TEXT_LIMITS: dict[str, int] = {
    "name": 200, "legal_representative": 64, "address": 200, "contact_name": 64, "contact_phone": 32,
}
MONEY_FIELDS = frozenset({"revenue", "tax"})
BOOLEAN_FIELDS = frozenset({"high_tech", "chain_leader", "cultivation_directory", "on_cloud"})
MAX_MONEY = max_yuan(16)  # the yearly revenue and tax columns: DecimalField(max_digits=16, decimal_places=2)
MAX_EMPLOYEES = 10_000_000
FIRST_YEAR = 1990
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in government sheets

_HEADER_JUNK = re.compile(r"[\s_\-:：/*※]")
_UNIT = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]$")
_SCALES = (("亿", Decimal(100_000_000)), ("万", Decimal(10_000)), ("10k", Decimal(10_000)), ("wan", Decimal(10_000)))
ONE = Decimal(1)


def header_key(text: str) -> tuple[str, Decimal]:
    """A header as a lookup key plus the money scale it declares: '营业收入（万元）' → ('营业收入', 10000)."""
    key = to_halfwidth(text).strip().lower()
    unit = ""
    match = _UNIT.search(key)
    if match:
        unit, key = match.group(1), key[: match.start()]
    key = _HEADER_JUNK.sub("", key)
    for suffix in ("万元", "元"):
        if key.endswith(suffix) and key[: -len(suffix)] in ALIAS_INDEX:
            unit, key = suffix, key[: -len(suffix)]
    scale = next((factor for marker, factor in _SCALES if marker in unit), ONE)
    return key, scale


ALIAS_INDEX: dict[str, str] = {}
for _field, _names in ALIASES.items():
    for _name in _names:
        ALIAS_INDEX[_HEADER_JUNK.sub("", to_halfwidth(_name).lower())] = _field


# --- errors ----------------------------------------------------------------------------------------
class CellError(ValueError):
    """A cell that cannot be accepted: a stable snake_case code and a Chinese message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class HeaderError(ValueError):
    """The header row cannot be used: the whole file is refused."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as Excel numbers it: header = 1, first data row = 2
    column: str  # the header text as written in the file
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    header: str
    field: str
    scale: Decimal = ONE


# --- headers ---------------------------------------------------------------------------------------
def map_headers(cells: Sequence[Any]) -> list[Column]:
    """Columns we know, by position; raises HeaderError on duplicates or missing required columns."""
    columns: list[Column] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(cells):
        header = cell_text(raw)
        if not header:
            continue
        key, scale = header_key(header)
        field = ALIAS_INDEX.get(key)
        if field is None:
            continue
        if field in seen:
            raise HeaderError(
                "duplicate_header", f"“{seen[field]}”和“{header}”都表示{LABELS[field]}，请只保留其中一列"
            )
        seen[field] = header
        columns.append(Column(index, header, field, scale))
    missing = [LABELS[f] for f in REQUIRED if f not in seen]
    if missing:
        raise HeaderError(
            "missing_headers",
            f"缺少必需的列：{'、'.join(missing)}。第一行应为列名（中文或英文均可，顺序不限），可下载导入模板对照",
        )
    return columns


def split_header(
    rows: Iterable[tuple[int, Sequence[Any]]],
) -> tuple[int, list[Column], Iterator[tuple[int, Sequence[Any]]]]:
    """Find the header among the first non-empty rows (title rows above it are skipped).

    Returns the header's row number, its columns and the remaining rows; raises HeaderError
    when no row qualifies.
    """
    iterator = iter(rows)
    head = list(itertools.islice(iterator, HEADER_SEARCH_ROWS))
    if not head:
        raise HeaderError("empty_file", "文件中没有数据：第一行应为列名，从第二行起每行一家企业")
    first_error: HeaderError | None = None
    for position, (number, cells) in enumerate(head):
        try:
            columns = map_headers(cells)
        except HeaderError as exc:
            if exc.code == "duplicate_header":
                raise
            first_error = first_error or exc
            continue
        return number, columns, itertools.chain(head[position + 1 :], iterator)
    assert first_error is not None
    raise first_error


# --- cells -----------------------------------------------------------------------------------------
def cell_text(value: Any) -> str:
    """A cell as stripped text; whole floats (Excel numbers) without '.0'; dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def shown(value: Any, limit: int = 40) -> str:
    text = cell_text(value)
    return text if len(text) <= limit else text[:limit] + "…"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_PLAIN = re.compile(r"\d{1,15}(?:\.\d{1,6})?")
_NUMBER = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))(亿元|亿|万元|万|元|人|年度|年)?")
_NUMBER_NOISE = re.compile(r"[\s,¥]|人民币|rmb", re.IGNORECASE)
_UNIT_SCALES = {"亿元": Decimal(100_000_000), "亿": Decimal(100_000_000), "万元": Decimal(10_000), "万": Decimal(10_000)}


def _number(value: Any, what: str, example: str) -> tuple[Decimal, str]:
    """A number and the unit written after it; full-width digits, separators and ¥ tolerated."""
    if isinstance(value, bool):
        raise CellError("invalid_number", f"{what}“{shown(value)}”不是数字，请填写如 {example}")
    if isinstance(value, int):
        return Decimal(value), ""
    if isinstance(value, float):
        number = Decimal(repr(value))
        if not number.is_finite():
            raise CellError("invalid_number", f"{what}“{shown(value)}”不是有效数字，请填写如 {example}")
        return number, ""
    text = value.strip() if isinstance(value, str) else cell_text(value)
    if _PLAIN.fullmatch(text):
        return Decimal(text), ""
    match = _NUMBER.fullmatch(_NUMBER_NOISE.sub("", to_halfwidth(text)))
    if match is None:
        raise CellError("invalid_number", f"{what}“{shown(value)}”不是有效数字，请填写如 {example}")
    return Decimal(match.group(1)), match.group(2) or ""


def parse_money(value: Any, scale: Decimal, what: str = "金额") -> Decimal:
    """Yuan with two places. A unit in the cell (120万元, 1,234.5元) wins over the header's unit."""
    number, unit = _number(value, what, "1234.56 或 120万元")
    if unit in ("人", "年", "年度"):
        raise CellError("invalid_number", f"{what}“{shown(value)}”不是金额，请填写如 1234.56 或 120万元")
    if unit:
        scale = _UNIT_SCALES.get(unit, ONE)
    if number < 0:
        raise CellError("negative", f"{what}“{shown(value)}”不能为负数")
    amount = number * scale
    if amount > MAX_MONEY:  # before quantize: a huge value would overflow Decimal's precision there
        raise CellError("too_large", f"{what}“{shown(value)}”超出范围，请检查单位（元/万元）")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_count(value: Any, what: str = "从业人数") -> int:
    """A whole number of people, 0 or more ('120人' accepted)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        number: Decimal | int = int(value)
    else:
        number, unit = _number(value, what, "120")
        if unit not in ("", "人"):
            raise CellError("invalid_number", f"{what}“{shown(value)}”不是人数，请填写整数，如 120")
        if number != number.to_integral_value():
            raise CellError("not_integer", f"{what}“{shown(value)}”应为整数")
    if number < 0:
        raise CellError("negative", f"{what}“{shown(value)}”不能为负数")
    if number > MAX_EMPLOYEES:
        raise CellError("too_large", f"{what}“{shown(value)}”超出合理范围")
    return int(number)


def parse_year(value: Any, last_year: int) -> int:
    """A 4-digit year from 1990 to next year ('2024年', '2024年度' accepted)."""
    if isinstance(value, str) and len(value) == 4 and value.isascii() and value.isdigit():
        year = int(value)
    else:
        try:
            number, unit = _number(value, "年度", "2024")
        except CellError:
            raise CellError("invalid_year", f"年度“{shown(value)}”无效，请填写 4 位年份，如 2024") from None
        if unit not in ("", "年", "年度") or number != number.to_integral_value():
            raise CellError("invalid_year", f"年度“{shown(value)}”无效，请填写 4 位年份，如 2024")
        year = int(number)
    if not FIRST_YEAR <= year <= last_year:
        raise CellError("year_out_of_range", f"年度“{shown(value)}”超出范围，应在 {FIRST_YEAR}–{last_year} 之间")
    return year


EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_EXCEL_SERIAL = 2_958_465  # 9999-12-31
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_EARLIEST = dt.date(1900, 1, 1)


def _date_from_text(text: str) -> dt.date:
    if len(text) == 10 and text[4] == "-" and text.isascii():
        return dt.date.fromisoformat(text)  # 2019-03-08, the common case
    text = to_halfwidth(text).strip()
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return dt.date(year, month, day)  # ValueError for 2019-02-30
    if _SERIAL.fullmatch(text):
        return _date_from_serial(float(text))
    raise ValueError(text)


def _date_from_serial(serial: float) -> dt.date:
    if not 1 <= serial <= MAX_EXCEL_SERIAL:
        raise ValueError(serial)
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(value: Any, today: dt.date) -> dt.date:
    """2019-03-08, 2019/3/8, 2019.3.8, 2019年3月8日, 20190308, Excel date cells and serial numbers."""
    try:
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            day = _date_from_serial(float(value))
        else:
            day = _date_from_text(cell_text(value))
    except (ValueError, OverflowError):
        raise CellError(
            "invalid_date", f"日期“{shown(value)}”无法识别，请填写如 2019-03-08、2019/3/8 或 2019年3月8日"
        ) from None
    if not _EARLIEST <= day <= today:
        raise CellError("date_out_of_range", f"日期“{shown(value)}”超出范围，应在 1900-01-01 与今天之间")
    return day


def parse_text(value: Any, limit: int, what: str) -> str:
    text = " ".join((value if isinstance(value, str) else cell_text(value)).split())
    if len(text) > limit:
        raise CellError("too_long", f"{what}过长（{len(text)} 个字符），最多 {limit} 个字符")
    return text


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def parse_email(value: Any) -> str:
    text = cell_text(value)
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        raise CellError("invalid_email", f"联系邮箱“{shown(value)}”格式不正确，应如 name@example.com")
    return text


_TRUE = frozenset({"是", "有", "y", "yes", "true", "1", "√", "✓", "✔"})
_FALSE = frozenset({"否", "无", "不是", "n", "no", "false", "0", "×", "✗", "-"})


def parse_bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = to_halfwidth(cell_text(value)).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("invalid_boolean", f"{what}“{shown(value)}”无法识别，请填写“是”或“否”")


ZJTX_TIERS: dict[str, str] = {
    "创新型中小企业": "innovative", "创新型": "innovative", "innovative": "innovative",
    "专精特新中小企业": "zjtx", "专精特新": "zjtx", "省级专精特新": "zjtx", "zjtx": "zjtx",
    "专精特新小巨人": "little_giant", "小巨人": "little_giant", "国家级专精特新小巨人": "little_giant",
    "littlegiant": "little_giant",
    "无": "", "否": "", "none": "",
}
_QUOTES = re.compile(r"[\s\"'“”‘’「」_\-]")


def parse_zjtx(value: Any) -> str:
    key = _QUOTES.sub("", to_halfwidth(cell_text(value)).lower())
    if key not in ZJTX_TIERS:
        raise CellError(
            "invalid_zjtx_tier", f"专精特新“{shown(value)}”无法识别，请填写 创新型中小企业、专精特新中小企业、小巨人 或 无"
        )
    return ZJTX_TIERS[key]


_INDUSTRY = re.compile(r"([A-Z]?)(\d+)")


def parse_industry_code(value: Any) -> str:
    """'3872', 'C3872', 'C 3872', '3872 照明灯具制造' → '3872'; checks shape, not existence."""
    text = _HEADER_JUNK.sub("", to_halfwidth(cell_text(value)).upper())
    match = _INDUSTRY.match(text)
    if match is None:
        raise CellError("invalid_industry", f"行业代码“{shown(value)}”无效，请填写 4 位行业小类代码，如 3872 或 C3872")
    letter, digits = match.groups()
    if letter and letter != "C":
        raise CellError("industry_not_manufacturing", f"行业代码“{shown(value)}”不属于制造业（C 门类）")
    if len(digits) != 4:
        raise CellError(
            "industry_not_class", f"行业代码“{shown(value)}”不是 4 位行业小类代码，请填写小类，如 3872 或 C3872"
        )
    return digits


# --- duplicates within a file: a compact exact key per (USCC, year) --------------------------------
_BASE31 = str.maketrans(USCC_ALPHABET, "0123456789abcdefghijklmnopqrstu")


def row_key(uscc: str, year: int) -> int:
    """(USCC, year) as one int: the USCC read as a base-31 number, the year in the low 12 bits."""
    return (int(uscc.translate(_BASE31), 31) << 12) | year


# --- the row validator ----------------------------------------------------------------------------
Parser = Callable[[Any], Any]


class RowValidator:
    """Validates rows one at a time; remembers (USCC, year) keys to find duplicates in the file.

    towns: normalised town text (see core.domain.normalise_town_text) → town id.
    industries: valid 4-digit manufacturing class codes.
    scope_town: when set (a town officer), rows of any other town are refused.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        towns: Mapping[str, int],
        industries: Collection[str],
        today: dt.date,
        scope_town: int | None = None,
        scope_label: str = "",
    ):
        self.columns = list(columns)
        self._towns = towns
        self._industries = industries
        self._today = today
        self._last_year = today.year + 1
        self._scope_town = scope_town
        self._scope_label = scope_label
        self._seen: dict[int, int] = {}
        self._memo: dict[tuple[str, Any], Any] = {}
        self._plan = [(c.index, c.header, c.field, self._parser(c), c.field in REQUIRED) for c in self.columns]
        self._uscc_header = next(c.header for c in self.columns if c.field == "uscc")

    def _parser(self, column: Column) -> Parser:
        field, label = column.field, LABELS[column.field]
        if field == "uscc":
            return _parse_uscc
        if field in TEXT_LIMITS:
            limit = TEXT_LIMITS[field]
            return lambda v: parse_text(v, limit, label)
        if field in MONEY_FIELDS:
            scale, what = column.scale, label.split("（")[0]
            return lambda v: parse_money(v, scale, what)
        if field in BOOLEAN_FIELDS:
            return lambda v: parse_bool(v, label)
        parsers: dict[str, Parser] = {
            "town": self._memoised("town", self._parse_town),
            "industry": self._memoised("industry", self._parse_industry),
            "founded_on": lambda v: parse_date(v, self._today),
            "employees": parse_count,
            "year": lambda v: parse_year(v, self._last_year),
            "contact_email": parse_email,
            "zjtx_tier": parse_zjtx,
        }
        return parsers[field]

    def _memoised(self, name: str, parse: Parser) -> Parser:
        """Towns and industries repeat on every row: parse each distinct cell once."""
        memo = self._memo

        def cached(value: Any) -> Any:
            key = (name, value)
            hit = memo.get(key)
            if hit is None:
                try:
                    hit = (True, parse(value))
                except CellError as exc:
                    hit = (False, exc)
                if len(memo) < 10_000:
                    memo[key] = hit
            ok, result = hit
            if not ok:
                raise result
            return result

        return cached

    def _parse_town(self, value: Any) -> int:
        town = self._towns.get(normalise_town_text(cell_text(value)))
        if town is None:
            raise CellError(
                "unknown_town", f"镇街“{shown(value)}”不存在，请填写本市镇街名称（如 古镇、石岐街道）或统计用区划代码"
            )
        if self._scope_town is not None and town != self._scope_town:
            raise CellError(
                "town_out_of_scope",
                f"镇街“{shown(value)}”不属于本镇街（{self._scope_label}）：镇街账号只能导入本镇街的企业",
            )
        return town

    def _parse_industry(self, value: Any) -> str:
        code = parse_industry_code(value)
        if code not in self._industries:
            raise CellError(
                "unknown_industry", f"行业代码“{shown(value)}”不是 GB/T 4754-2017 制造业（C 门类）的行业小类，请核对"
            )
        return code

    def validate(self, row: int, cells: Sequence[Any]) -> tuple[dict[str, Any], list[RowError]]:
        """(values of the non-empty known cells, errors) for one data row."""
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        width = len(cells)
        for index, header, field, parse, required in self._plan:
            raw = cells[index] if index < width else None
            if raw is None or raw == "" or (isinstance(raw, str) and raw.isspace()):
                if required:
                    errors.append(RowError(row, header, "required", f"{LABELS[field]}不能为空"))
                continue
            try:
                values[field] = parse(raw)
            except CellError as exc:
                errors.append(RowError(row, header, exc.code, exc.message))
        if "uscc" in values and "year" in values:
            self._check_duplicate(row, values["uscc"], values["year"], errors)
        return values, errors

    def _check_duplicate(self, row: int, uscc: str, year: int, errors: list[RowError]) -> None:
        key = row_key(uscc, year)
        first = self._seen.setdefault(key, row)
        if first != row:
            errors.append(RowError(
                row, self._uscc_header, "duplicate_in_file",
                f"统一社会信用代码 {uscc} 的 {year} 年度数据与第 {first} 行重复：同一企业同一年度只能有一行，请删除或合并",
            ))


_CANONICAL_USCC = re.compile(f"[{USCC_ALPHABET}]{{18}}")


def _parse_uscc(value: Any) -> str:
    """A code already in canonical form takes the short way (its check character only)."""
    if isinstance(value, str) and _CANONICAL_USCC.fullmatch(value) and uscc_check_char(value[:17]) == value[17]:
        return value
    try:
        return validate_uscc(value).code
    except UsccError as exc:
        raise CellError(f"uscc_{exc.code}", str(exc)) from None


def template_headers() -> list[str]:
    """The headers of the downloadable template, in a natural order."""
    return list(LABELS.values())

