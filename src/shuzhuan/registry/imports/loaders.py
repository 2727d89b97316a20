"""How one chunk of the enterprise import reaches the database: the backend-specific half of the write path.

`service.ChunkWriter` decides, in Python, what a chunk creates, updates and records in history (the
same on every backend) and hands the result to a loader as a `ChunkRows`:

- `CopyLoader` (PostgreSQL): the chunk's rows go with COPY (psycopg 3 `cursor.copy`, which escapes
  tabs, newlines and backslashes) into four temporary staging tables, then one
  `INSERT … SELECT … ON CONFLICT DO UPDATE` per table moves them into the registry: organisations,
  enterprises, years and audit entries. New rows find their organisation by USCC in SQL, so no ids
  travel back to Python. A handful of statements per chunk, whatever its size.
- `SqlLoader` (SQLite and anything else): one `executemany` per table for new rows, `bulk_update`
  for changed ones.

Both run inside the import's transaction: a failure anywhere rolls the whole file back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from django.db import connection, models

from shuzhuan.core.models import AuditEntry, Organisation, OrganisationKind
from shuzhuan.registry.models import Enterprise, EnterpriseYear

ENT_COLUMNS = tuple(f.attname for f in Enterprise._meta.concrete_fields)
YEAR_COLUMNS = ("enterprise_id", "year", "employees", "revenue", "tax")
YEAR_FIGURES = ("employees", "revenue", "tax")
AUDIT_COLUMNS = (
    "at", "actor_id", "actor_label", "action", "target_type", "target_id", "organisation_id", "summary", "changes", "reason",
)


@dataclass
class ChunkRows:
    """What one chunk writes. `state` objects carry `.org` (uscc, name, pk or None) and `.ent`."""

    db_now: Any  # the chunk's timestamp as the driver takes it
    new_orgs: list[Any] = field(default_factory=list)  # namespaces: uscc, name, pk=None
    dirty_orgs: dict[int, Organisation] = field(default_factory=dict)  # renamed
    new_ents: list[Any] = field(default_factory=list)  # states whose profile is new
    dirty_ents: dict[int, Any] = field(default_factory=dict)  # pk → state with a changed profile
    ent_fields: set[str] = field(default_factory=set)  # the profile attributes changed in dirty_ents
    new_years: list[tuple[Any, Any]] = field(default_factory=list)  # (state, figures namespace)
    dirty_years: dict[int, tuple[Any, EnterpriseYear]] = field(default_factory=dict)  # pk → (state, row)
    history: list[tuple[Any, str, str, dict]] = field(default_factory=list)  # (state, action, summary, changes)


class Loader:
    def __init__(self, actor: Any) -> None:
        from shuzhuan.core import audit

        self.actor_id = getattr(actor, "pk", None)
        self.actor_label = audit.actor_label(actor)
        self.target_type = Enterprise._meta.label_lower

    def write(self, rows: ChunkRows) -> None:
        raise NotImplementedError


def loader_for(actor: Any) -> Loader:
    """The loader for the default connection's backend."""
    return CopyLoader(actor) if connection.vendor == "postgresql" else SqlLoader(actor)


# --- PostgreSQL: COPY into staging tables, one upsert per table ---------------------------------
def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _column_type(model: type[models.Model], attname: str) -> str:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return fields[attname].db_type(connection)


STAGE_ORG = "_sz_import_org"
STAGE_ENT = "_sz_import_ent"
STAGE_YEAR = "_sz_import_year"
STAGE_AUDIT = "_sz_import_audit"
ENT_STAGED = tuple(c for c in ENT_COLUMNS if c != "organisation_id")
ENT_KEPT = ("created_at",)  # an existing profile keeps its creation time


class CopyLoader(Loader):
    """COPY a chunk into temporary staging tables (created once per transaction) and upsert from there."""

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        uscc = "uscc varchar(18) NOT NULL"
        ent_columns = ", ".join(f"{_q(c)} {_column_type(Enterprise, c)}" for c in ENT_STAGED)
        year_columns = ", ".join(f"{c} {_column_type(EnterpriseYear, c)}" for c in YEAR_FIGURES)
        self.stages = {
            STAGE_ORG: f"{uscc}, name varchar(200) NOT NULL",
            STAGE_ENT: f"{uscc}, {ent_columns}",
            STAGE_YEAR: f"{uscc}, year smallint NOT NULL, {year_columns}",
            STAGE_AUDIT: f"ord integer NOT NULL, {uscc}, action varchar(64) NOT NULL, summary varchar(300) NOT NULL, "
                         "changes text NOT NULL",
        }
        self.staged = False
        org, ent, year, entry = (_q(m._meta.db_table) for m in (Organisation, Enterprise, EnterpriseYear, AuditEntry))
        ent_list = ", ".join(_q(c) for c in ENT_STAGED)
        ent_set = ", ".join(f"{_q(c)} = EXCLUDED.{_q(c)}" for c in ENT_STAGED if c not in ENT_KEPT)
        self.upsert_org = (
            f"INSERT INTO {org} (uscc, name, kind, created_at) SELECT s.uscc, s.name, %s, %s FROM {STAGE_ORG} s "
            f"ON CONFLICT (uscc) DO UPDATE SET name = EXCLUDED.name WHERE {org}.name IS DISTINCT FROM EXCLUDED.name"
        )
        self.upsert_ent = (
            f"INSERT INTO {ent} (organisation_id, {ent_list}) "
            f"SELECT o.id, {', '.join('s.' + _q(c) for c in ENT_STAGED)} FROM {STAGE_ENT} s JOIN {org} o ON o.uscc = s.uscc "
            f"ON CONFLICT (organisation_id) DO UPDATE SET {ent_set}"
        )
        self.upsert_year = (
            f"INSERT INTO {year} (enterprise_id, year, employees, revenue, tax) "
            f"SELECT o.id, s.year, s.employees, s.revenue, s.tax FROM {STAGE_YEAR} s JOIN {org} o ON o.uscc = s.uscc "
            f"ON CONFLICT (enterprise_id, year) DO UPDATE SET employees = EXCLUDED.employees, "
            f"revenue = EXCLUDED.revenue, tax = EXCLUDED.tax"
        )
        self.insert_audit = (
            f"INSERT INTO {entry} ({', '.join(AUDIT_COLUMNS)}) "
            f"SELECT %s, %s, %s, s.action, %s, o.id::text, o.id, s.summary, s.changes::jsonb, '' "
            f"FROM {STAGE_AUDIT} s JOIN {org} o ON o.uscc = s.uscc ORDER BY s.ord"
        )

    @staticmethod
    def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        with cursor.copy(f"COPY {table} ({', '.join(_q(c) for c in columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def write(self, rows: ChunkRows) -> None:
        """Call inside a transaction (the staging tables are dropped at its end)."""
        ent_row = attrgetter(*ENT_STAGED)
        dumps = json.dumps
        staged = []
        with connection.cursor() as wrapper:
            raw = wrapper.cursor  # psycopg's own cursor: COPY is not part of the DB-API
            if not self.staged:  # inside the import's transaction: ON COMMIT DROP, gone on rollback too
                for name, columns in self.stages.items():
                    wrapper.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({columns}) ON COMMIT DROP")
                self.staged = True
            wrapper.execute(f"TRUNCATE {', '.join(self.stages)}")
            if rows.new_orgs or rows.dirty_orgs:
                self._copy(raw, STAGE_ORG, ("uscc", "name"), [
                    *((o.uscc, o.name) for o in rows.new_orgs), *((o.uscc, o.name) for o in rows.dirty_orgs.values()),
                ])
                staged.append((self.upsert_org, [OrganisationKind.ENTERPRISE, rows.db_now]))
            if rows.new_ents or rows.dirty_ents:
                self._copy(raw, STAGE_ENT, ("uscc", *ENT_STAGED), [
                    (s.org.uscc, *ent_row(s.ent)) for s in (*rows.new_ents, *rows.dirty_ents.values())
                ])
                staged.append((self.upsert_ent, []))
            if rows.new_years or rows.dirty_years:
                self._copy(raw, STAGE_YEAR, ("uscc", "year", *YEAR_FIGURES), [
                    (s.org.uscc, y.year, y.employees, y.revenue, y.tax)
                    for s, y in (*rows.new_years, *rows.dirty_years.values())
                ])
                staged.append((self.upsert_year, []))
            if rows.history:
                self._copy(raw, STAGE_AUDIT, ("ord", "uscc", "action", "summary", "changes"), [
                    (i, s.org.uscc, action, summary[:300], dumps(changes, ensure_ascii=False))
                    for i, (s, action, summary, changes) in enumerate(rows.history)
                ])
                staged.append((self.insert_audit, [rows.db_now, self.actor_id, self.actor_label, self.target_type]))
            for sql, params in staged:
                wrapper.execute(sql, params)


# --- SQLite and others: executemany and bulk_update -----------------------------------------------
class _Insert:
    """INSERT plain rows into a model's table with one executemany: bulk_create's columns and value
    preparation, without building a model instance per row (the import's hot path)."""

    PREPARED = ("JSONField",)  # Decimal, date, int, str, bool go to the driver as they are

    def __init__(self, model: type[models.Model], attnames: Sequence[str]):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.sql = (
            f"INSERT INTO {_q(model._meta.db_table)} ({', '.join(_q(fields[a].column) for a in attnames)}) "
            f"VALUES ({', '.join(['%s'] * len(attnames))})"
        )
        self.prepare = [
            (i, self._preparer(fields[a])) for i, a in enumerate(attnames) if fields[a].get_internal_type() in self.PREPARED
        ]

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


class SqlLoader(Loader):
    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        self.org = _Insert(Organisation, ("uscc", "name", "kind", "created_at"))
        self.ent = _Insert(Enterprise, ENT_COLUMNS)
        self.year = _Insert(EnterpriseYear, YEAR_COLUMNS)
        self.audit = _Insert(AuditEntry, AUDIT_COLUMNS)

    def write(self, rows: ChunkRows) -> None:
        if rows.new_orgs:
            self.org((o.uscc, o.name, OrganisationKind.ENTERPRISE, rows.db_now) for o in rows.new_orgs)
            ids = dict(Organisation.objects.filter(uscc__in=[o.uscc for o in rows.new_orgs]).values_list("uscc", "pk"))
            for org in rows.new_orgs:
                org.pk = ids[org.uscc]
        for state in rows.new_ents:
            state.ent.organisation_id = state.org.pk
        row_of = attrgetter(*ENT_COLUMNS)
        self.ent(row_of(state.ent) for state in rows.new_ents)
        self.year((s.org.pk, y.year, y.employees, y.revenue, y.tax) for s, y in rows.new_years)
        if rows.dirty_orgs:
            Organisation.objects.bulk_update(rows.dirty_orgs.values(), ["name"])
        if rows.dirty_ents:
            Enterprise.objects.bulk_update([s.ent for s in rows.dirty_ents.values()], sorted(rows.ent_fields | {"updated_at"}))
        if rows.dirty_years:
            EnterpriseYear.objects.bulk_update([y for _, y in rows.dirty_years.values()], list(YEAR_FIGURES))
        self.audit(
            (rows.db_now, self.actor_id, self.actor_label, action, self.target_type, str(s.org.pk), s.org.pk, summary[:300],
             changes, "")
            for s, action, summary, changes in rows.history
        )


# --- new model instances in bulk (other importers) ----------------------------------------------
def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys from the table's sequence (PostgreSQL), for rows COPY-ed with explicit ids."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [r[0] for r in cursor.fetchall()]


def bulk_insert(objs: Sequence[models.Model], batch_size: int = 1000) -> list[models.Model]:
    """Insert new instances of one model and set their primary keys: COPY with ids reserved from the
    sequence on PostgreSQL (values prepared as `save()` would: defaults, pre_save, get_db_prep_save),
    `bulk_create` elsewhere. Signals are not sent (as with bulk_create)."""
    if not objs:
        return []
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=batch_size)
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]  # the database computes generated columns
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
    columns = ", ".join(_q(f.column) for f in fields)
    with connection.cursor() as wrapper, wrapper.cursor.copy(f"COPY {_q(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            values = []
            for f in fields:
                value = f.pre_save(obj, add=True)
                if hasattr(value, "resolve_expression"):  # a db_default left to the database: not for COPY
                    raise ValueError(f"{model.__name__}.{f.name}: give a value to insert it by COPY")
                values.append(f.get_db_prep_save(value, connection))
            copy.write_row(values)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return list(objs)


# --- the file's (USCC, 年度) keys, kept in the database so that memory stays flat --------------
KEYS = "_sz_import_keys"
CHUNK_KEYS = "_sz_import_chunk_keys"


class KeyStore:
    """Keys seen so far in a file, in a temporary table (spills to disk, not to the Python heap).

    `first_rows(keys)` takes a chunk's first occurrences {(uscc, year): row} and returns those seen
    in an earlier chunk with the row they were first seen on; all of them are then remembered.
    COPY loads a chunk's keys on PostgreSQL, executemany elsewhere. Call inside the import's transaction.
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        suffix = " ON COMMIT DROP" if self.postgres else ""
        with connection.cursor() as cursor:
            for name in (KEYS, CHUNK_KEYS):
                cursor.execute(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} (uscc varchar(18) NOT NULL, year smallint NOT NULL, "
                    f"row_number integer NOT NULL, PRIMARY KEY (uscc, year)){suffix}"
                )
                cursor.execute(f"DELETE FROM {name}")  # a second import in the same transaction starts afresh

    def first_rows(self, keys: dict[tuple[str, int], int]) -> dict[tuple[str, int], int]:
        if not keys:
            return {}
        rows = [(uscc, year, row) for (uscc, year), row in keys.items()]
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {CHUNK_KEYS}")
            if self.postgres:
                CopyLoader._copy(cursor.cursor, CHUNK_KEYS, ("uscc", "year", "row_number"), rows)
            else:
                cursor.executemany(f"INSERT INTO {CHUNK_KEYS} (uscc, year, row_number) VALUES (%s, %s, %s)", rows)
            cursor.execute(
                f"SELECT c.uscc, c.year, k.row_number FROM {CHUNK_KEYS} c JOIN {KEYS} k ON k.uscc = c.uscc AND k.year = c.year"
            )
            seen = {(uscc, year): row for uscc, year, row in cursor.fetchall()}
            cursor.execute(
                f"INSERT INTO {KEYS} (uscc, year, row_number) SELECT uscc, year, row_number FROM {CHUNK_KEYS} WHERE true "
                "ON CONFLICT (uscc, year) DO NOTHING"
            )
        return seen

    def close(self) -> None:
        if not self.postgres:  # PostgreSQL drops them at the end of the transaction
            with connection.cursor() as cursor:
                for name in (KEYS, CHUNK_KEYS):
                    cursor.execute(f"DROP TABLE IF EXISTS {name}")
