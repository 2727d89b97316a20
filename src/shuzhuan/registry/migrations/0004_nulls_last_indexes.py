from django.db import migrations

# The list sorts descending with NULLs last (filters.EnterpriseFilterForm.ordering). PostgreSQL can use
# an index for that only if the index has the same order; SQLite does not accept NULLS LAST in an index.
INDEXES = {
    "enterprise_revenue_desc_nl": "revenue DESC NULLS LAST",
    "enterprise_employees_desc_nl": "employees DESC NULLS LAST",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON registry_enterprise ({columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_sort_indexes")]
    operations = [migrations.RunPython(create, drop)]
