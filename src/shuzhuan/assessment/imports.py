"""Bulk import of assessment results (XLSX / CSV): one row per enterprise and sheet.

A row carries 统一社会信用代码, 评测日期, 评测类型, 指标体系 and either the whole sheet (one column per
question code F1…R4, letters, multiple choice as "B,D"; one per scenario S01…S16, levels 0–4) or,
for results from the national system, only 总分 and 等级 (DESIGN decision 7; a 2022-edition row is
classified by its score bands). Complete sheets are checked and scored by the batch engine
(`domain.batch`), whose messages are the single-sheet scorer's.

The registry import's pieces are reused: the streaming readers, cell parsers, the row error and
report types, the annotated download. As there, errors name the row as Excel numbers it, the column
as written in the file, a code and a Chinese message; the whole file is one transaction, rolled back
on any error unless `skip_invalid`; `dry_run` always rolls back. The enterprise must be registered
and within the importing officer's scope. Importing the same enterprise, date and kind again
replaces the earlier imported row.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from shuzhuan.assessment import indicator_sets
from shuzhuan.assessment.domain import errors as msg
from shuzhuan.assessment.domain.batch import LEVEL, SCORE, BatchScorer, milli
from shuzhuan.assessment.domain.errors import AssessmentInputError
from shuzhuan.assessment.domain.model import (
    SEPARATOR,
    IndicatorSet,
    QuestionType,
    normalise_letters,
    to_points,
)
from shuzhuan.assessment.domain.scoring import classify
from shuzhuan.assessment.models import Assessment, Kind, Source, Status
from shuzhuan.assessment.results import refresh_official
from shuzhuan.core import audit
from shuzhuan.core.domain import to_halfwidth
from shuzhuan.core.models import AuditEntry
from shuzhuan.registry.domain import UsccError, validate_uscc
from shuzhuan.registry.imports import readers
from shuzhuan.registry.imports.readers import ImportFileError
from shuzhuan.registry.imports.rows import ALIASES as REGISTRY_ALIASES
from shuzhuan.registry.imports.rows import CellError, RowError, cell_text, is_blank, parse_date, shown
from shuzhuan.registry.imports.service import ImportReport
from shuzhuan.registry.models import Enterprise

CHUNK_ROWS = 5000
HEADER_SEARCH_ROWS = 10
ProgressFn = Callable[..., None]

LABELS = {
    "uscc": "统一社会信用代码", "name": "企业名称", "assessed_on": "评测日期", "kind": "评测类型",
    "indicator_set": "指标体系", "score": "总分", "level": "等级",
}
ALIASES: dict[str, tuple[str, ...]] = {
    "uscc": REGISTRY_ALIASES["uscc"],
    "name": REGISTRY_ALIASES["name"],
    "assessed_on": ("评测日期", "评测时间", "测评日期", "日期", "assessed on", "date"),
    "kind": ("评测类型", "测评类型", "类型", "kind"),
    "indicator_set": ("指标体系", "指标版本", "评测指标", "版本", "indicator set"),
    "score": ("总分", "得分", "评测得分", "评测总分", "score"),
    "level": ("等级", "评测等级", "数字化水平等级", "数字化等级", "level"),
}
REQUIRED = ("uscc", "assessed_on")
_JUNK = re.compile(r"[\s_\-:：/*※()（）]")
_CODE = re.compile(r"^([A-Z]\d{1,2})(?![0-9])")
ALIAS_INDEX = {_JUNK.sub("", to_halfwidth(name).lower()): key for key, names in ALIASES.items() for name in names}

KINDS = {
    "改造前": Kind.BASELINE, "基线": Kind.BASELINE, "改造前基线": Kind.BASELINE, "基线评测": Kind.BASELINE, "baseline": Kind.BASELINE,
    "改造后": Kind.POST, "改造后评测": Kind.POST, "post": Kind.POST,
    "定期": Kind.PERIODIC, "定期评测": Kind.PERIODIC, "periodic": Kind.PERIODIC, "年度": Kind.PERIODIC,
}
# the indicator set's level names, plus the other words a national export or an official writes for level 0
LEVEL_WORDS = {**{name: level for level, name in enumerate(indicator_sets.level_names())},
               **dict.fromkeys(("无", "无等级", "未达一级", "未定级", "0"), 0)}
SCENARIO_WORDS = {"未实施": 0, "无": 0, "一级": 1, "二级": 2, "三级": 3, "四级": 4}


class HeaderError(ImportFileError):
    pass


def _key(text: str) -> str:
    return _JUNK.sub("", to_halfwidth(text).lower())


@dataclass(frozen=True)
class Columns:
    header_row: int
    fields: dict[str, tuple[int, str]]  # field → (index, header as written)
    codes: dict[str, tuple[int, str]]  # question / scenario code → (index, header)

    def header(self, name: str) -> str:
        where = self.fields.get(name) or self.codes.get(name)
        return where[1] if where else LABELS.get(name, name)


def _all_codes() -> set[str]:
    codes: set[str] = set()
    for set_id in indicator_sets.available():
        try:
            s = indicator_sets.load(set_id)
        except indicator_sets.UnknownIndicatorSet:
            continue
        codes |= set(s.question_index) | set(s.scenario_index)
    return codes


def map_columns(number: int, cells: Sequence[Any], known_codes: set[str]) -> Columns:
    fields: dict[str, tuple[int, str]] = {}
    codes: dict[str, tuple[int, str]] = {}
    for index, raw in enumerate(cells):
        header = cell_text(raw)
        if not header:
            continue
        name = ALIAS_INDEX.get(_key(header))
        code_match = _CODE.match(to_halfwidth(header).strip().upper())
        if name is None and code_match:
            code = code_match.group(1)
            if code not in known_codes:
                raise HeaderError("unknown_code", f"列“{header}”不是指标体系中的题号或场景代码（题号如 F1、M2、R3，场景如 S01）")
            target, key = codes, code
        elif name is not None:
            target, key = fields, name
        else:
            continue
        if key in target:
            raise HeaderError("duplicate_header", f"“{target[key][1]}”和“{header}”是同一列，请只保留其中一列")
        target[key] = (index, header)
    missing = [LABELS[f] for f in REQUIRED if f not in fields]
    if missing:
        raise HeaderError("missing_headers", f"缺少必需的列：{'、'.join(missing)}。可下载导入模板对照")
    return Columns(number, fields, codes)


def split_header(rows: Iterable[tuple[int, Sequence[Any]]]) -> tuple[Columns, Iterator[tuple[int, Sequence[Any]]]]:
    iterator = iter(rows)
    head = list(itertools.islice(iterator, HEADER_SEARCH_ROWS))
    if not head:
        raise HeaderError("empty_file", "文件中没有数据：第一行应为列名，从第二行起每行一份评测结果")
    codes = _all_codes()
    first: HeaderError | None = None
    for position, (number, cells) in enumerate(head):
        try:
            columns = map_columns(number, cells, codes)
        except HeaderError as exc:
            if exc.code != "missing_headers":
                raise
            first = first or exc
            continue
        return columns, itertools.chain(head[position + 1:], iterator)
    assert first is not None
    raise first


# --- cells ---------------------------------------------------------------------------------------------

def parse_uscc(value: Any) -> str:
    try:
        return validate_uscc(value).code
    except UsccError as exc:
        raise CellError(f"uscc_{exc.code}", str(exc)) from None


def parse_kind(value: Any) -> str:
    kind = KINDS.get(_key(cell_text(value)))
    if kind is None:
        raise CellError("invalid_kind", f"评测类型“{shown(value)}”无法识别，请填写 改造前、改造后 或 定期")
    return kind


def parse_set(value: Any) -> str:
    text = _key(cell_text(value))
    for set_id in indicator_sets.available():
        year = set_id.rsplit("-", 1)[-1]
        if text in (set_id, year, f"{year}年版", f"{year}版", f"miit{year}"):
            return set_id
    raise CellError("unknown_indicator_set",
                    f"指标体系“{shown(value)}”无法识别，请填写 {' 或 '.join(indicator_sets.available())}（或 2024、2022）")


def parse_score(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError("invalid_score", f"总分“{shown(value)}”不是数字")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(cell_text(value).rstrip("分"))
    except InvalidOperation:
        raise CellError("invalid_score", f"总分“{shown(value)}”不是数字，请填写如 62.5") from None
    if not number.is_finite():
        raise CellError("invalid_score", f"总分“{shown(value)}”不是数字，请填写如 62.5")
    return number


def parse_level(value: Any) -> int:
    text = _key(cell_text(value))
    if text in LEVEL_WORDS:
        return LEVEL_WORDS[text]
    if text.endswith("级") and text[:-1].isdigit():
        text = text[:-1]
    if text.isdigit() and int(text) in range(5):
        return int(text)
    raise CellError("invalid_level", f"等级“{shown(value)}”无法识别，请填写 一级、二级、三级、四级 或 无等级（也可填 0–4）")


def parse_scenario(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("invalid_scenario", msg.scenario_range(0, 4))
    if isinstance(value, int | float) and float(value).is_integer() and 0 <= value <= 4:
        return int(value)
    text = _key(cell_text(value))
    if text in SCENARIO_WORDS:
        return SCENARIO_WORDS[text]
    if text.endswith("级"):
        text = text[:-1]
    if text.isdigit() and 0 <= int(text) <= 4:
        return int(text)
    raise CellError("invalid_scenario", f"“{shown(value)}”：{msg.scenario_range(0, 4)}")


# --- rows ----------------------------------------------------------------------------------------------

@dataclass
class Row:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    scenarios: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    enterprise_id: int | None = None

    @property
    def has_sheet(self) -> bool:
        return bool(self.answers or self.scenarios)


class RowParser:
    def __init__(self, columns: Columns, today: dt.date):
        self.columns = columns
        self.today = today
        self.seen: dict[tuple[str, dt.date, str], int] = {}
        self.parsers: dict[str, Callable[[Any], Any]] = {
            "uscc": parse_uscc, "assessed_on": lambda v: parse_date(v, today), "kind": parse_kind,
            "indicator_set": parse_set, "score": parse_score, "level": parse_level,
        }

    def error(self, row: Row, name: str, code: str, message: str) -> None:
        row.errors.append(RowError(row.number, self.columns.header(name), code, message))

    def parse(self, number: int, cells: Sequence[Any]) -> Row:
        row = Row(number)
        width = len(cells)
        for name, (index, _header) in self.columns.fields.items():
            raw = cells[index] if index < width else None
            if is_blank(raw) or name not in self.parsers:
                continue
            try:
                row.values[name] = self.parsers[name](raw)
            except CellError as exc:
                self.error(row, name, exc.code, exc.message)
        for name in REQUIRED:
            if is_blank(cells[self.columns.fields[name][0]] if self.columns.fields[name][0] < width else None):
                self.error(row, name, "required", f"{LABELS[name]}不能为空")
        row.values.setdefault("kind", Kind.PERIODIC)
        row.values.setdefault("indicator_set", indicator_sets.DEFAULT)
        indicator_set = indicator_sets.load(row.values["indicator_set"])
        for code, (index, _header) in self.columns.codes.items():
            raw = cells[index] if index < width else None
            if is_blank(raw):
                continue
            if code in indicator_set.scenario_index:
                try:
                    row.scenarios[code] = parse_scenario(raw)
                except CellError as exc:
                    self.error(row, code, exc.code, exc.message)
            elif code in indicator_set.question_index:
                row.answers[code] = cell_text(raw)
            else:
                self.error(row, code, "not_in_set", f"{indicator_set.title}没有题号 {code}，请清空该单元格")
        self._check_shape(row, indicator_set)
        if "uscc" in row.values and "assessed_on" in row.values:
            key = (row.values["uscc"], row.values["assessed_on"], row.values["kind"])
            first = self.seen.setdefault(key, number)
            if first != number:
                self.error(row, "uscc", "duplicate_in_file",
                           f"统一社会信用代码 {key[0]} 在 {key[1]:%Y-%m-%d} 的{Kind(key[2]).label}评测与第 {first} 行重复：请删除或合并")
        return row

    def _check_shape(self, row: Row, indicator_set: IndicatorSet) -> None:
        """A complete sheet, or only 总分 + 等级 (result-only); a 2022-edition row by its score bands."""
        if row.has_sheet or not indicator_set.questions:
            if not indicator_set.questions and "score" not in row.values and not any(e.column == self.columns.header("score") for e in row.errors):
                self.error(row, "score", "required", f"{indicator_set.title}按总分评定等级：总分不能为空")
            return
        if "score" in row.values or "level" in row.values:
            for name in ("score", "level"):
                if name not in row.values and not any(e.column == self.columns.header(name) for e in row.errors):
                    self.error(row, name, "required", f"仅有结果的记录需要同时填写总分和等级（{LABELS[name]}为空）")
            return
        if not any(e.code == "required" for e in row.errors):
            self.error(row, "uscc", "empty_sheet", "该行既没有答卷（F1… / S01…），也没有总分和等级")


# --- scoring -------------------------------------------------------------------------------------------

def _sheet_value(question_type: QuestionType, cell: str) -> Any:
    letters = sorted(p for p in normalise_letters(cell).split(SEPARATOR) if p)
    return letters if question_type is QuestionType.MULTI else (letters[0] if letters else "")


def score_sheets(indicator_set: IndicatorSet, rows: list[Row], headers: Columns, scorer: BatchScorer) -> None:
    """Score complete sheets with the batch engine; invalid cells become row errors."""
    if not rows:
        return
    schema = {**dict.fromkeys(indicator_set.question_index, pl.String), **dict.fromkeys(indicator_set.scenario_index, pl.Int64)}
    frame = pl.DataFrame(
        [[r.answers.get(q.code) for q in indicator_set.questions] + [r.scenarios.get(s.code) for s in indicator_set.scenarios]
         for r in rows], schema=schema, orient="row",
    )
    bad = scorer.find_errors(frame)
    for index, fld, message in bad.iter_rows():
        code = fld.split(".", 1)[1]
        if fld.startswith("scenarios.") and code not in rows[index].scenarios and any(e.column == headers.header(code) for e in rows[index].errors):
            continue  # already reported by the cell parser
        rows[index].errors.append(RowError(rows[index].number, headers.header(code), "invalid_answer", f"{code}：{message}"))
    scored = scorer.score(frame, check=False)
    columns = {
        "score": scored[SCORE].to_list(), "level": scored[LEVEL].to_list(),
        **{d.code: scored[milli(d.code)].to_list() for d in indicator_set.dimensions},
        **{s.code: scored[milli(s.code)].to_list() for s in indicator_set.second_levels},
        **{q.code: scored[milli(q.code)].to_list() for q in indicator_set.questions},
    }
    for index, row in enumerate(rows):
        if row.errors:
            continue
        total, level = columns["score"][index], columns["level"][index]
        row.result = {
            "score": to_points(total), "level": int(level), "version": indicator_set.version,
            "dimensions": {d.code: str(to_points(columns[d.code][index])) for d in indicator_set.dimensions},
            "second_levels": {s.code: str(to_points(columns[s.code][index])) for s in indicator_set.second_levels},
            "indicators": {q.code: str(to_points(columns[q.code][index])) for q in indicator_set.questions},
            "answers": {q.code: _sheet_value(q.type, row.answers[q.code]) for q in indicator_set.questions},
            "scenarios": {s.code: row.scenarios[s.code] for s in indicator_set.scenarios},
            "source": Source.IMPORT,
        }
        _check_given(row, headers, indicator_set)


def _check_given(row: Row, headers: Columns, indicator_set: IndicatorSet) -> None:
    """A sheet that also carries 总分 / 等级 must agree with what the scorer computes."""
    if "score" in row.values and row.values["score"] != row.result["score"]:
        row.errors.append(RowError(row.number, headers.header("score"), "score_mismatch",
                                   f"总分 {row.values['score']} 与按答卷计算的 {row.result['score']} 分不一致"))
    if "level" in row.values and row.values["level"] != row.result["level"]:
        row.errors.append(RowError(row.number, headers.header("level"), "level_mismatch",
                                   f"等级与按答卷评定的{indicator_set.level_name(row.result['level'])}不一致"))


def classify_result(row: Row, headers: Columns, indicator_set: IndicatorSet) -> None:
    """A row with only 总分 (+ 等级): 2022 edition by score bands; 2024 edition as given, checked for plausibility."""
    total, level = row.values["score"], row.values.get("level")
    if not indicator_set.level_rule.needs_scenarios:
        try:
            result = classify(indicator_set, total)
        except AssessmentInputError as exc:
            row.errors.append(RowError(row.number, headers.header("score"), "invalid_score", exc.errors[0].message))
            return
        if level is not None and level != result.level:
            row.errors.append(RowError(row.number, headers.header("level"), "level_mismatch",
                                       f"按{indicator_set.title}，总分 {total} 分应为{indicator_set.level_name(result.level or 0)}"))
            return
        row.result = {"score": result.score, "level": result.level, "version": indicator_set.version,
                      "explanation": list(result.explanation), "source": Source.RESULT_ONLY}
        return
    limit = to_points(indicator_set.max_points)
    if not 0 <= total <= limit or total != total.quantize(Decimal("0.001")):
        row.errors.append(RowError(row.number, headers.header("score"), "invalid_score", f"总分应为 0–{limit} 之间、最多 3 位小数的数值"))
        return
    req = indicator_set.level_rule.requirement(level) if level else None
    if req is not None and total < to_points(req.min_score):
        row.errors.append(RowError(row.number, headers.header("level"), "level_mismatch",
                                   f"{req.name}要求总分不低于 {to_points(req.min_score)} 分，本行总分 {total} 分"))
        return
    row.result = {
        "score": total, "level": level, "version": indicator_set.version, "source": Source.RESULT_ONLY,
        "explanation": [f"仅有结果的记录：总分 {total} 分，等级 {indicator_set.level_name(level or 0)}（外部系统评定，未附答卷与场景等级）"],
    }


# --- the import ----------------------------------------------------------------------------------------

@dataclass
class _Context:
    actor: Any
    columns: Columns
    report: ImportReport
    scorers: dict[str, BatchScorer] = field(default_factory=dict)

    def scorer(self, indicator_set: IndicatorSet) -> BatchScorer:
        if indicator_set.id not in self.scorers:
            self.scorers[indicator_set.id] = BatchScorer(indicator_set)
        return self.scorers[indicator_set.id]


def _resolve_enterprises(rows: list[Row], ctx: _Context) -> None:
    usccs = {r.values["uscc"] for r in rows if "uscc" in r.values}
    known = dict(Enterprise.objects.filter(organisation__uscc__in=usccs).values_list("organisation__uscc", "pk"))
    if ctx.actor is None:
        visible = set(known.values())
    else:
        visible = set(Enterprise.objects.visible_to(ctx.actor).filter(pk__in=list(known.values())).values_list("pk", flat=True))
    header = ctx.columns.header("uscc")
    for row in rows:
        uscc = row.values.get("uscc")
        if uscc is None:
            continue
        pk = known.get(uscc)
        if pk is None:
            row.errors.append(RowError(row.number, header, "unknown_enterprise",
                                       f"统一社会信用代码 {uscc} 的企业未在企业库登记：请先导入企业名录"))
        elif pk not in visible:
            row.errors.append(RowError(row.number, header, "enterprise_out_of_scope",
                                       f"统一社会信用代码 {uscc} 的企业不在您的管辖范围内（其他镇街）：不能导入其评测结果"))
        else:
            row.enterprise_id = pk


def _write(rows: list[Row], ctx: _Context) -> None:
    if not rows:
        return
    now = timezone.now()
    keys = {(r.enterprise_id, r.values["assessed_on"], r.values["kind"]) for r in rows}
    existing = Assessment.objects.filter(
        enterprise_id__in={k[0] for k in keys}, source__in=[Source.IMPORT, Source.RESULT_ONLY], status__in=[Status.SUBMITTED],
    ).values_list("enterprise_id", "assessed_on", "kind", "pk")
    replaced = {(e, d, k): pk for e, d, k, pk in existing if (e, d, k) in keys}
    if replaced:
        Assessment.objects.filter(pk__in=list(replaced.values())).delete()
    objects = []
    for row in rows:
        r = row.result
        objects.append(Assessment(
            enterprise_id=row.enterprise_id, kind=row.values["kind"], source=r["source"], status=Status.SUBMITTED,
            indicator_set=row.values["indicator_set"], version=r["version"], assessed_on=row.values["assessed_on"],
            answers=r.get("answers", {}), scenarios=r.get("scenarios", {}), score=r["score"], level=r["level"],
            dimensions=r.get("dimensions", {}), second_levels=r.get("second_levels", {}), indicators=r.get("indicators", {}),
            explanation=r.get("explanation", []), created_by=ctx.actor if getattr(ctx.actor, "pk", None) else None,
            created_at=now, updated_at=now, submitted_at=now,
        ))
    created = Assessment.objects.bulk_create(objects, batch_size=1000)
    entries = []
    for row, obj in zip(rows, created, strict=True):
        key = (row.enterprise_id, row.values["assessed_on"], row.values["kind"])
        action = "update" if key in replaced else "create"
        level = indicator_sets.load(obj.indicator_set).level_name(obj.level or 0)
        summary = f"导入评测结果：{obj.assessed_on:%Y-%m-%d} {Kind(obj.kind).label}，{obj.score} 分，{level}"
        entries.append(audit.entry(ctx.actor, action, obj, summary, organisation=row.enterprise_id))
        if action == "update":
            ctx.report.updated += 1
        else:
            ctx.report.created += 1
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    refresh_official({row.enterprise_id for row in rows})


def _process(chunk: list[Row], ctx: _Context) -> None:
    """Every check runs on every row, so that a row's errors are all reported at once."""
    by_set: dict[str, list[Row]] = {}
    for row in chunk:
        indicator_set = indicator_sets.load(row.values["indicator_set"])
        if indicator_set.questions and row.has_sheet:
            by_set.setdefault(indicator_set.id, []).append(row)
        elif not row.errors:
            classify_result(row, ctx.columns, indicator_set)
    for set_id, rows in by_set.items():
        indicator_set = indicator_sets.load(set_id)
        score_sheets(indicator_set, rows, ctx.columns, ctx.scorer(indicator_set))
    _resolve_enterprises(chunk, ctx)
    valid = []
    for row in chunk:
        if row.errors:
            ctx.report.reject(row.errors)
        else:
            valid.append(row)
    _write(valid, ctx)


def import_file(
    path: Path, *, actor: Any = None, dry_run: bool = False, skip_invalid: bool = False,
    progress: ProgressFn | None = None, chunk_rows: int = CHUNK_ROWS, today: dt.date | None = None,
) -> ImportReport:
    """Validate and import; raises ImportFileError when the file cannot be read at all."""
    reader = readers.open_table(Path(path))
    columns, data = split_header(reader.rows())
    parser = RowParser(columns, today or timezone.localdate())
    report = ImportReport()
    ctx = _Context(actor, columns, report)
    estimate = reader.estimate_rows()
    with transaction.atomic():
        chunk: list[Row] = []
        for number, cells in data:
            report.rows_total += 1
            chunk.append(parser.parse(number, cells))
            if len(chunk) >= chunk_rows:
                _process(chunk, ctx)
                chunk = []
                if progress:
                    progress(report.rows_total, max(estimate, report.rows_total), f"已校验 {report.rows_total} 行")
        _process(chunk, ctx)
        report.rolled_back = dry_run or (report.rows_rejected > 0 and not skip_invalid)
        if report.rolled_back:
            transaction.set_rollback(True)
    if report.rolled_back and not dry_run:
        report.created = report.updated = 0
    if report.rows_total == 0:
        raise ImportFileError("no_rows", "文件只有列名，没有数据行")
    if progress:
        progress(report.rows_total, report.rows_total, "校验完成" if dry_run else "导入完成", force=True)
    return report


def template_workbook() -> bytes:
    """The import template: key columns, every question and scenario of the default set, 总分 / 等级."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    from shuzhuan.core.xlsx import append_row

    indicator_set = indicator_sets.load(indicator_sets.DEFAULT)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "评测结果"
    headers = [LABELS["uscc"], LABELS["name"], LABELS["assessed_on"], LABELS["kind"], LABELS["indicator_set"]]
    notes = ["18 位代码（请设为文本格式）", "仅供核对，不导入", "如 2024-05-08", "改造前 / 改造后 / 定期", "miit-2024 或 miit-2022"]
    for q in indicator_set.questions:
        headers.append(f"{q.code} {q.indicator}")
        kind = "多选，字母以逗号分隔，如 B,D" if q.type is QuestionType.MULTI else "单选，填一个字母"
        notes.append(f"{q.text}（{kind}：" + "；".join(f"{o.letter} {o.text[:20]}" for o in q.options) + "）")
    for s in indicator_set.scenarios:
        headers.append(f"{s.code} {s.name}")
        notes.append(f"{'约束性' if s.mandatory else '非约束性'}场景，等级 0–4（0 = 未实施）")
    headers += [LABELS["score"], LABELS["level"]]
    notes += ["仅有结果（全国系统导出）时填写；有答卷时可留空", "一级 / 二级 / 三级 / 四级 / 无等级"]
    append_row(sheet, headers)
    for index, (cell, note) in enumerate(zip(sheet[1], notes, strict=True), start=1):
        cell.font = Font(bold=True)
        cell.comment = Comment(note[:500], "shuzhuan")
        sheet.column_dimensions[cell.column_letter].width = 22 if index <= 5 else 10
    sheet.column_dimensions["A"].number_format = "@"
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
