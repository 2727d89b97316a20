import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "towns.csv"


def load(apps, schema_editor):
    Town = apps.get_model("core", "Town")
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            Town.objects.update_or_create(
                code=row["code"],
                defaults={k: row[k] for k in ("name", "short_name", "kind", "former_names")},
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
