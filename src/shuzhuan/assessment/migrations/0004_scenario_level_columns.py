"""The 16 scenario levels as generated columns (computed by the database from `scenarios`).

On PostgreSQL all 16 columns are added in one ALTER TABLE, so the table (and its existing rows: the
backfill) is rewritten once rather than 16 times; elsewhere each column is added as usual. Then a
partial index on the official results that carries every column the statistics aggregate.
"""

from django.db import migrations, models

from shuzhuan.assessment.models import SCENARIO_COLUMNS, _scenario_level, scenario_column


def _field(code: str) -> models.GeneratedField:
    return models.GeneratedField(expression=_scenario_level(code), output_field=models.SmallIntegerField(null=True),
                                 db_persist=True)


def add_columns(apps, schema_editor):
    model = apps.get_model("assessment", "Assessment")
    fields = [model._meta.get_field(scenario_column(code)) for code in SCENARIO_COLUMNS]
    if schema_editor.connection.vendor != "postgresql":
        for field in fields:
            schema_editor.add_field(model, field)
        return
    clauses, params = [], []
    for field in fields:
        definition, field_params = schema_editor.column_sql(model, field, include_default=False)
        clauses.append(f"ADD COLUMN {schema_editor.quote_name(field.column)} {definition}")
        params.extend(field_params)
    schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(model._meta.db_table)} {', '.join(clauses)}",
                          params or None)


def drop_columns(apps, schema_editor):
    model = apps.get_model("assessment", "Assessment")
    for code in SCENARIO_COLUMNS:
        schema_editor.remove_field(model, model._meta.get_field(scenario_column(code)))


class Migration(migrations.Migration):

    dependencies = [
        ("assessment", "0003_indicator_set_verification"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="assessment", name=scenario_column(code), field=_field(code))
                for code in SCENARIO_COLUMNS
            ],
        ),
        migrations.RunPython(add_columns, drop_columns),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(condition=models.Q(("is_official", True)), fields=["enterprise"],
                               include=("level", "score", *(scenario_column(code) for code in SCENARIO_COLUMNS)),
                               name="assessment_official_cover"),
        ),
    ]
