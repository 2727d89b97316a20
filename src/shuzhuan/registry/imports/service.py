"""The enterprise import's write path: validate every row, upsert by USCC + 年度, with history.

One `transaction.atomic()` around the whole file; rows are validated as they stream in and written
in chunks: per chunk one query for the enterprises already known by USCC, one for their years,
then bulk inserts and bulk updates, and one audit entry per changed row (on the enterprise's
timeline). Memory holds one chunk plus a compact key per (USCC, 年度) seen.

Without `skip_invalid` any error rolls everything back; `dry_run` always rolls back (the counts
are what a real import would do).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from shuzhuan.core import audit
from shuzhuan.core.models import AuditEntry, Organisation, OrganisationKind, Role, Town
from shuzhuan.registry.imports import readers
from shuzhuan.registry.imports.readers import ImportFileError
from shuzhuan.registry.imports.rows import (
    PROFILE_FIELDS,
    YEAR_FIELDS,
    HeaderError,
    RowError,
    RowValidator,
    split_header,
)
from shuzhuan.registry.models import Enterprise, EnterpriseYear, IndustryClass, enterprises_added
from shuzhuan.registry.services import derive

CHUNK_ROWS = 2000
MAX_REPORTED_ERRORS = 10_000
ATTRIBUTES = {"town": "town_id", "industry": "industry_id"}  # row field → model attribute
PROFILE_ATTRIBUTES = {name: ATTRIBUTES.get(name, name) for name in PROFILE_FIELDS}
DERIVED_FIELDS = ("latest_year", "employees", "revenue", "tax", "size_class", "above_scale")
ProgressFn = Callable[..., None]

__all__ = ["ImportFileError", "ImportReport", "import_file", "scope_town_of"]


@dataclass
class ImportReport:
    rows_total: int = 0
    rows_rejected: int = 0
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    rolled_back: bool = False

    @property
    def rows_valid(self) -> int:
        return self.rows_total - self.rows_rejected

    def reject(self, errors: list[RowError]) -> None:
        """Count one rejected row and keep its errors (the list is capped; the count is not)."""
        self.rows_rejected += 1
        self.error_count += len(errors)
        room = MAX_REPORTED_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(e.as_dict() for e in errors[:room])
        elif len(self.errors) == MAX_REPORTED_ERRORS:
            self.errors.append({
                "row": errors[0].row, "column": "", "code": "too_many_errors",
                "message": f"错误过多，只列出前 {MAX_REPORTED_ERRORS} 条；请先修正以上错误后重新导入",
            })

    def as_dict(self) -> dict[str, Any]:
        """The JSON report: exactly these keys."""
        return {
            "rows_total": self.rows_total, "rows_valid": self.rows_valid, "created": self.created,
            "updated": self.updated, "errors": self.errors,
        }

    @staticmethod
    def fatal(exc: ImportFileError | HeaderError) -> dict[str, Any]:
        """The JSON report for a file that could not be read at all."""
        error = {"row": 1, "column": "", "code": exc.code, "message": exc.message}
        return {"rows_total": 0, "rows_valid": 0, "created": 0, "updated": 0, "errors": [error]}


def scope_town_of(actor: Any) -> Town | None:
    """The only town an actor may import into (a town officer's), or None for any town."""
    if actor is not None and getattr(actor, "role", None) == Role.TOWN_OFFICER and not actor.is_superuser:
        return actor.town
    return None


def import_file(
    path: Path,
    *,
    actor: Any = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: ProgressFn | None = None,
    chunk_rows: int = CHUNK_ROWS,
    today: dt.date | None = None,
) -> ImportReport:
    """Validate and import the file; raises ImportFileError when the file cannot be read at all."""
    reader = readers.open_table(Path(path))
    try:
        _header_row, columns, data = split_header(reader.rows())
    except HeaderError as exc:
        raise ImportFileError(exc.code, exc.message) from None
    scope = scope_town_of(actor)
    validator = RowValidator(
        columns,
        towns={alias: town.pk for alias, town in Town.objects.lookup_table().items()},
        industries=frozenset(manufacturing_classes()),
        today=today or timezone.localdate(),
        scope_town=scope.pk if scope else None,
        scope_label=scope.short_name if scope else "",
    )
    report = ImportReport()
    uscc_header = next(c.header for c in columns if c.field == "uscc")
    writer = ChunkWriter(actor, scope, report, uscc_header)
    estimate = reader.estimate_rows()
    with _fewer_collections(), transaction.atomic():
        for chunk in _valid_chunks(data, validator, report, chunk_rows):
            writer.write(chunk)
            if progress:
                progress(report.rows_total, max(estimate, report.rows_total), f"已校验 {report.rows_total} 行")
        report.rolled_back = dry_run or (report.rows_rejected > 0 and not skip_invalid)
        if report.rolled_back:
            transaction.set_rollback(True)
        elif report.created:
            enterprises_added()  # e.g. the marketplace links chain partners listed before they were registered
    if report.rolled_back and not dry_run:
        report.created = report.updated = 0
    if progress:
        progress(report.rows_total, report.rows_total, "校验完成" if dry_run else "导入完成", force=True)
    return report


@contextmanager
def _fewer_collections(young: int = 50_000) -> Iterator[None]:
    """Rows allocate many short-lived objects and few cycles: let the cyclic GC run less often."""
    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], young), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def manufacturing_classes() -> Iterable[str]:
    """4-digit classes of section C (制造业) in GB/T 4754-2017."""
    return IndustryClass.objects.filter(level="class", parent__parent__parent_id="C").values_list("code", flat=True)


def _valid_chunks(
    data: Iterable[tuple[int, Sequence[Any]]], validator: RowValidator, report: ImportReport, size: int
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """Validate rows as they stream in; yield the valid ones in chunks of `size`."""
    chunk: list[tuple[int, dict[str, Any]]] = []
    for number, cells in data:
        report.rows_total += 1
        values, errors = validator.validate(number, cells)
        if errors:
            report.reject(errors)
            continue
        chunk.append((number, values))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    yield chunk


def _jsonable(value: Any) -> Any:
    kind = type(value)
    if kind is Decimal:
        return str(value)
    if kind is dt.date:
        return value.isoformat()
    return value


class _Insert:
    """INSERT plain rows into a model's table with one executemany: bulk_create's columns and value
    preparation, without building a model instance per row (the import's hot path)."""

    PREPARED = ("JSONField",)  # Decimal, date, int, str, bool go to both drivers as they are

    def __init__(self, model: type[models.Model], attnames: Sequence[str]):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        quote = connection.ops.quote_name
        self.columns = tuple(attnames)
        self.sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(fields[a].column) for a in attnames)}) "
            f"VALUES ({', '.join(['%s'] * len(attnames))})"
        )
        self.prepare = [(i, self._preparer(fields[a])) for i, a in enumerate(attnames) if fields[a].get_internal_type() in self.PREPARED]

    @staticmethod
    def _preparer(field: models.Field) -> Callable[[Any], Any]:
        if isinstance(field, models.JSONField):  # what JSONField.get_db_prep_value does for a plain value
            return lambda value: connection.ops.adapt_json_value(value, field.encoder)
        return lambda value: field.get_db_prep_save(value, connection)

    def __call__(self, rows: Iterable[Sequence[Any]]) -> None:
        prepared = []
        for row in rows:
            if self.prepare:
                row = list(row)
                for i, prepare in self.prepare:
                    row[i] = prepare(row[i])
            prepared.append(row)
        if prepared:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, prepared)


def _db_now(now: dt.datetime) -> Any:
    """`now` as the driver takes it for a DateTimeField (prepared once per chunk)."""
    return Enterprise._meta.get_field("created_at").get_db_prep_save(now, connection)


ENT_COLUMNS = tuple(f.attname for f in Enterprise._meta.concrete_fields)
ENT_DEFAULTS = {f.attname: f.get_default() for f in Enterprise._meta.concrete_fields if not f.primary_key}
YEAR_COLUMNS = ("enterprise_id", "year", "employees", "revenue", "tax")
AUDIT_COLUMNS = (
    "at", "actor_id", "actor_label", "action", "target_type", "target_id", "organisation_id", "summary", "changes", "reason",
)


@dataclass
class _State:
    """An enterprise as one chunk sees it: organisation, profile and the years this chunk touches.

    Stored rows are model instances (changed ones go through bulk_update); new ones are plain
    namespaces with the same attribute names, inserted in bulk at the end of the chunk.
    """

    org: Any
    ent: Any
    years: dict[int, Any]
    exists: bool  # the enterprise profile is already in the database
    queued: bool = False  # a new profile already queued for insert by an earlier row of the chunk


class _Batch:
    """What one chunk writes: new rows, changed rows and history, flushed together."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.db_now = _db_now(now)
        self.new_orgs: list[SimpleNamespace] = []
        self.new_ents: list[_State] = []
        self.new_years: list[tuple[_State, SimpleNamespace]] = []
        self.dirty_orgs: dict[int, Organisation] = {}
        self.dirty_ents: dict[int, Enterprise] = {}
        self.dirty_years: dict[int, EnterpriseYear] = {}
        self.ent_fields: set[str] = set()
        self.history: list[tuple[_State, str, str, dict]] = []

    def flush(self, actor: Any, inserts: dict[str, _Insert]) -> None:
        if self.new_orgs:
            inserts["org"]((o.uscc, o.name, OrganisationKind.ENTERPRISE, self.db_now) for o in self.new_orgs)
            ids = dict(Organisation.objects.filter(uscc__in=[o.uscc for o in self.new_orgs]).values_list("uscc", "pk"))
            for org in self.new_orgs:
                org.pk = ids[org.uscc]
        for state in self.new_ents:
            state.ent.organisation_id = state.org.pk
        row_of = attrgetter(*ENT_COLUMNS)
        inserts["ent"](row_of(state.ent) for state in self.new_ents)
        inserts["year"]((s.org.pk, y.year, y.employees, y.revenue, y.tax) for s, y in self.new_years)
        if self.dirty_orgs:
            Organisation.objects.bulk_update(self.dirty_orgs.values(), ["name"])
        if self.dirty_ents:
            Enterprise.objects.bulk_update(self.dirty_ents.values(), sorted(self.ent_fields | {"updated_at"}))
        if self.dirty_years:
            EnterpriseYear.objects.bulk_update(self.dirty_years.values(), list(YEAR_FIELDS))
        actor_id, label, target = getattr(actor, "pk", None), audit.actor_label(actor), Enterprise._meta.label_lower
        inserts["audit"](
            (self.db_now, actor_id, label, action, target, str(s.org.pk), s.org.pk, summary, changes, "")
            for s, action, summary, changes in self.history
        )


class ChunkWriter:
    """Applies chunks of valid rows to the registry (upsert by USCC, a year per 年度)."""

    def __init__(self, actor: Any, scope: Town | None, report: ImportReport, uscc_header: str):
        self.actor = actor
        self.scope = scope
        self.report = report
        self.uscc_header = uscc_header
        self.town_names = dict(Town.objects.values_list("pk", "short_name"))
        self.inserts = {
            "org": _Insert(Organisation, ("uscc", "name", "kind", "created_at")),
            "ent": _Insert(Enterprise, ENT_COLUMNS),
            "year": _Insert(EnterpriseYear, YEAR_COLUMNS),
            "audit": _Insert(AuditEntry, AUDIT_COLUMNS),
        }

    def write(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        if not rows:
            return
        batch = _Batch(timezone.now())
        known = self._load({values["uscc"] for _, values in rows}, {values["year"] for _, values in rows})
        for number, values in rows:
            state = known.get(values["uscc"])
            if state is None:
                state = known[values["uscc"]] = self._new_state(values, batch)
            elif state.exists and self.scope is not None and state.ent.town_id != self.scope.pk:
                self.report.reject([self._out_of_scope(number, values)])
                continue
            self._apply(state, values, batch)
        batch.flush(self.actor, self.inserts)

    def _load(self, usccs: set[str], years: set[int]) -> dict[str, _State]:
        """Organisations of these USCCs with their enterprise, and the years of this chunk."""
        known: dict[str, _State] = {}
        by_ent: dict[int, _State] = {}
        for org in Organisation.objects.filter(uscc__in=usccs).select_related("enterprise"):
            ent = getattr(org, "enterprise", None)
            if ent is None:  # an organisation (e.g. a provider) without an enterprise profile yet
                known[org.uscc] = _State(org, SimpleNamespace(**ENT_DEFAULTS), {}, exists=False)
            else:
                known[org.uscc] = by_ent[org.pk] = _State(org, ent, {}, exists=True)
        if by_ent:
            for row in EnterpriseYear.objects.filter(enterprise_id__in=list(by_ent), year__in=list(years)):
                by_ent[row.enterprise_id].years[row.year] = row
        return known

    @staticmethod
    def _new_state(values: dict[str, Any], batch: _Batch) -> _State:
        org = SimpleNamespace(pk=None, uscc=values["uscc"], name=values["name"])
        batch.new_orgs.append(org)
        return _State(org, SimpleNamespace(**ENT_DEFAULTS), {}, exists=False)

    def _create(self, state: _State, values: dict[str, Any], batch: _Batch) -> None:
        """A new enterprise profile from its first row: the bulk case, kept lean."""
        year = values["year"]
        self._rename(state, values["name"], batch)
        attrs = state.ent.__dict__
        for name, value in values.items():
            attr = PROFILE_ATTRIBUTES.get(name)
            if attr is not None:
                attrs[attr] = value
        figures = SimpleNamespace(
            year=year, employees=values.get("employees"), revenue=values.get("revenue"), tax=values.get("tax")
        )
        state.years[year] = figures
        batch.new_years.append((state, figures))
        size_class, above = derive(year, figures.employees, figures.revenue)
        attrs.update(
            latest_year=year, employees=figures.employees, revenue=figures.revenue, tax=figures.tax,
            size_class=size_class, above_scale=above, created_at=batch.db_now, updated_at=batch.db_now,
        )
        state.queued = True
        batch.new_ents.append(state)
        batch.history.append((state, "create", f"导入：新建企业档案（{year} 年度数据）", self._creation_record(values)))
        self.report.created += 1

    def _creation_record(self, values: dict[str, Any]) -> dict[str, list[Any]]:
        """History of a creation: every value the row set, from nothing (as audit.diff({}, …) has it)."""
        year = values["year"]
        record: dict[str, list[Any]] = {}
        for name, value in values.items():
            if name in ("uscc", "year"):
                continue
            if name == "town":
                value = self.town_names.get(value, value)
            record[f"{year}.{name}" if name in YEAR_FIELDS else name] = [None, _jsonable(value)]
        return record

    def _apply(self, state: _State, values: dict[str, Any], batch: _Batch) -> None:
        """Move a row's values onto a known enterprise and its year; record what changed."""
        if not state.exists and not state.queued:
            self._create(state, values, batch)
            return
        year = values["year"]
        latest = state.ent.latest_year is None or year >= state.ent.latest_year
        if not latest:  # a past year's row brings its figures; the profile follows the latest year
            values = {name: values[name] for name in ("uscc", "year", *YEAR_FIELDS) if name in values}
        before = self._snapshot(state, values)
        changed: set[str] = set()
        if latest:
            self._rename(state, values["name"], batch)
            changed = self._set_profile(state.ent, values)
        row = self._set_year(state, values, batch)
        if latest:
            changed |= self._set_derived(state.ent, row)
        changes = audit.diff(before, self._snapshot(state, values))
        if not changes:
            return
        if state.exists and changed:
            state.ent.updated_at = batch.now
            batch.dirty_ents[state.ent.pk] = state.ent
            batch.ent_fields |= changed
        batch.history.append((state, "update", f"导入：更新企业档案（{year} 年度数据）", changes))
        self.report.updated += 1

    @staticmethod
    def _rename(state: _State, name: str, batch: _Batch) -> None:
        if name != state.org.name:
            state.org.name = name
            if isinstance(state.org, Organisation):
                batch.dirty_orgs[state.org.pk] = state.org

    @staticmethod
    def _set_profile(ent: Any, values: dict[str, Any]) -> set[str]:
        changed: set[str] = set()
        for name in PROFILE_FIELDS:
            if name in values:
                attr = ATTRIBUTES.get(name, name)
                if getattr(ent, attr) != values[name]:
                    setattr(ent, attr, values[name])
                    changed.add(attr)
        return changed

    @staticmethod
    def _set_year(state: _State, values: dict[str, Any], batch: _Batch) -> Any:
        year = values["year"]
        row = state.years.get(year)
        if row is None:
            row = state.years[year] = SimpleNamespace(year=year, employees=None, revenue=None, tax=None)
            batch.new_years.append((state, row))
        for name in YEAR_FIELDS:
            if name in values and getattr(row, name) != values[name]:
                setattr(row, name, values[name])
                if isinstance(row, EnterpriseYear):
                    batch.dirty_years[row.pk] = row
        return row

    @staticmethod
    def _set_derived(ent: Any, row: Any) -> set[str]:
        size_class, above = derive(row.year, row.employees, row.revenue)
        changed: set[str] = set()
        figures = (row.year, row.employees, row.revenue, row.tax, size_class, above)
        for name, value in zip(DERIVED_FIELDS, figures, strict=True):
            if getattr(ent, name) != value:
                setattr(ent, name, value)
                changed.add(name)
        return changed

    def _snapshot(self, state: _State, values: dict[str, Any]) -> dict[str, Any]:
        """The fields this row touches, as history shows them (a town by its name)."""
        snap: dict[str, Any] = {"name": state.org.name} if "name" in values else {}
        for name in PROFILE_FIELDS:
            if name in values:
                snap[name] = getattr(state.ent, ATTRIBUTES.get(name, name))
        if "town" in snap:
            snap["town"] = self.town_names.get(snap["town"], snap["town"])
        year = values["year"]
        row = state.years.get(year)
        for name in YEAR_FIELDS:
            if name in values:
                snap[f"{year}.{name}"] = getattr(row, name) if row is not None else None
        return snap

    def _out_of_scope(self, number: int, values: dict[str, Any]) -> RowError:
        return RowError(
            number, self.uscc_header, "town_out_of_scope",
            f"统一社会信用代码 {values['uscc']} 的企业已登记在其他镇街，不属于本镇街（{self.scope}）：请联系市工信局处理",
        )
