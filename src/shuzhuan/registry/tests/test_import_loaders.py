"""The import's loaders: COPY + staging + one upsert per table on PostgreSQL, executemany on SQLite.

These run on whichever backend the suite runs on (DATABASE_URL); on PostgreSQL they exercise COPY.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shuzhuan.core.models import AuditEntry, Organisation, Town
from shuzhuan.registry.imports import loaders
from shuzhuan.registry.imports.service import import_file
from shuzhuan.registry.models import Enterprise, EnterpriseYear
from shuzhuan.registry.tests.test_import_service import row, uscc, write_csv


@pytest.fixture
def csv_file(tmp_path):
    return lambda rows, **kw: write_csv(tmp_path / "in.csv", rows, **kw)


def ours() -> Organisation:
    return Organisation.objects.filter(uscc__startswith="91442000MA9T")


def test_the_backend_gets_its_loader(db):
    expected = loaders.CopyLoader if connection.vendor == "postgresql" else loaders.SqlLoader
    assert type(loaders.loader_for(None)) is expected


def test_a_failure_in_a_later_chunk_rolls_back_the_earlier_ones(world, csv_file, monkeypatch):
    """Chunks 1 and 2 are written (COPY and upsert done), chunk 3 fails: nothing of the file remains."""
    loader_class = type(loaders.loader_for(None))
    original = loader_class.write
    calls = []

    def failing(self, rows):
        calls.append(len(rows.new_ents))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        original(self, rows)

    monkeypatch.setattr(loader_class, "write", failing)
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError):
        import_file(csv_file([row(n) for n in range(10)]), chunk_rows=3)
    assert calls == [3, 3, 3]
    assert not ours().exists()
    assert not Enterprise.objects.filter(organisation__uscc__startswith="91442000MA9T").exists()
    assert AuditEntry.objects.count() == before


def test_a_database_error_mid_way_rolls_back_everything(world, csv_file, monkeypatch):
    """A row the database refuses (a negative head count, against the column's CHECK) in the second chunk."""
    from shuzhuan.registry.imports import service

    real_create = service.ChunkWriter._create
    seen = []

    def create(self, state, values, batch):
        real_create(self, state, values, batch)
        seen.append(values["uscc"])
        if len(seen) == 5:
            state.ent.employees = -1
    monkeypatch.setattr(service.ChunkWriter, "_create", create)
    with pytest.raises(Exception):  # noqa: B017 - the backend's IntegrityError
        import_file(csv_file([row(n) for n in range(8)]), chunk_rows=3)
    assert not ours().exists()


def test_reimporting_the_same_file_changes_nothing_and_writes_no_history(world, csv_file):
    rows = [row(n) for n in range(7)] + [row(n, year="2023", employees="100") for n in range(3)]
    path = csv_file(rows)
    first = import_file(path, chunk_rows=4)
    assert (first.created, first.updated) == (7, 3)
    state = sorted(Enterprise.objects.filter(organisation__uscc__startswith="91442000MA9T").values_list(
        "pk", "updated_at", "employees", "latest_year", "size_class"))
    years = sorted(EnterpriseYear.objects.filter(enterprise__organisation__uscc__startswith="91442000MA9T").values_list(
        "enterprise_id", "year", "employees", "revenue"))
    entries = AuditEntry.objects.count()
    again = import_file(path, chunk_rows=4)
    assert (again.created, again.updated, again.rows_valid) == (0, 0, 10)
    assert AuditEntry.objects.count() == entries
    assert sorted(Enterprise.objects.filter(organisation__uscc__startswith="91442000MA9T").values_list(
        "pk", "updated_at", "employees", "latest_year", "size_class")) == state
    assert sorted(EnterpriseYear.objects.filter(enterprise__organisation__uscc__startswith="91442000MA9T").values_list(
        "enterprise_id", "year", "employees", "revenue")) == years


def test_history_is_written_in_bulk_one_statement_per_chunk(world, csv_file):
    import_file(csv_file([row(n) for n in range(4)]))  # some updates, some creations below
    path = csv_file([row(n, employees="999") for n in range(30)])
    table = AuditEntry._meta.db_table
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with CaptureQueriesContext(connection) as queries:
        report = import_file(path, chunk_rows=10)
    assert (report.created, report.updated) == (26, 4)
    audit_inserts = [q for q in queries.captured_queries if f'INSERT INTO "{table}"' in q["sql"]]
    assert len(audit_inserts) == 3  # one per chunk, not one per row
    history = AuditEntry.objects.filter(organisation__uscc__startswith="91442000MA9T", id__gt=last)
    assert history.filter(action="create").count() == 26 and history.filter(action="update").count() == 4
    one = history.get(action="update", organisation__uscc=uscc(2))
    assert one.changes == {"2024.employees": [350, 999]} and one.target_id == str(one.organisation_id)


TRICKY = "示范\\N公司\\\\a\tb\nc\r\"引号\",'单引号'|竖线"


def test_copy_quotes_tabs_newlines_backslashes_and_null_markers(world):
    """Values reach the tables exactly, whatever COPY's text format would make of them unescaped."""
    town = Town.objects.get(short_name="古镇")
    now = timezone.now()
    rows = loaders.ChunkRows(db_now=Enterprise._meta.get_field("created_at").get_db_prep_save(now, connection))
    org = SimpleNamespace(pk=None, uscc=uscc(1), name=TRICKY)
    ent = SimpleNamespace(**{f.attname: f.get_default() for f in Enterprise._meta.concrete_fields if not f.primary_key})
    ent.__dict__.update(town_id=town.pk, address="\\.\n\\.", legal_representative="\t", contact_email="a\\b@example.cn",
                        created_at=rows.db_now, updated_at=rows.db_now, latest_year=2024)
    state = SimpleNamespace(org=org, ent=ent)
    rows.new_orgs.append(org)
    rows.new_ents.append(state)
    rows.new_years.append((state, SimpleNamespace(year=2024, employees=1, revenue=None, tax=None)))
    rows.history.append((state, "create", "导入：\\N\t摘要", {"name": [None, TRICKY], "x\\y": ["\\N", "\t"]}))
    loaders.loader_for(None).write(rows)
    stored = Enterprise.objects.select_related("organisation").get(organisation__uscc=uscc(1))
    assert stored.organisation.name == TRICKY
    assert (stored.address, stored.legal_representative, stored.contact_email) == ("\\.\n\\.", "\t", "a\\b@example.cn")
    assert stored.years.get().revenue is None and stored.founded_on is None
    entry = AuditEntry.objects.get(organisation=stored.organisation)
    assert entry.summary == "导入：\\N\t摘要"
    assert entry.changes == {"name": [None, TRICKY], "x\\y": ["\\N", "\t"]}


def test_import_keeps_backslashes_in_cells(world, csv_file):
    name = "示范\\N灯饰\\公司"
    report = import_file(csv_file([row(1, name=name, address="古镇\\t路\\\\8号")]))
    assert report.created == 1
    ent = Enterprise.objects.select_related("organisation").get(organisation__uscc=uscc(1))
    assert (ent.organisation.name, ent.address) == (name, "古镇\\t路\\\\8号")
    assert AuditEntry.objects.get(organisation=ent.organisation).changes["name"] == [None, name]


def test_bulk_insert_sets_primary_keys_and_stores_values_exactly(world):
    """The other importers' writer (COPY with reserved ids on PostgreSQL, bulk_create elsewhere)."""
    from shuzhuan.core import audit

    org = world.enterprises["a"].organisation
    entries = [audit.entry(None, "create", org, f"第 {n} 条\\N\t", organisation=org, changes={"v": [None, TRICKY]})
               for n in range(3)]
    created = loaders.bulk_insert(entries)
    assert [e.pk for e in created] == sorted(e.pk for e in created) and all(e.pk for e in created)
    stored = AuditEntry.objects.filter(pk__in=[e.pk for e in created]).order_by("pk")
    assert [(e.summary, e.changes, e.organisation_id) for e in stored] == [
        (f"第 {n} 条\\N\t", {"v": [None, TRICKY]}, org.pk) for n in range(3)
    ]
    assert stored[0].at is not None and not created[0]._state.adding


def test_duplicates_are_found_across_chunks_without_keeping_keys_in_memory(world, csv_file):
    rows = [row(1), row(2), row(3, year="2023"), row(4), row(3, year="2023", name="又一行"), row(1), row(1, year="2023")]
    report = import_file(csv_file(rows), chunk_rows=2, skip_invalid=True)
    assert [(e["row"], e["code"]) for e in report.errors] == [(6, "duplicate_in_file"), (7, "duplicate_in_file")]
    assert "第 4 行" in report.errors[0]["message"] and "第 2 行" in report.errors[1]["message"]
    assert (report.created, report.updated) == (4, 1)
    again = import_file(csv_file(rows[:2]), chunk_rows=2)  # a new import starts with no keys
    assert not again.errors
