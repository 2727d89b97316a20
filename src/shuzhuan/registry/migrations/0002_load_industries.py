import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "gbt4754-2017.csv"


def load(apps, schema_editor):
    """Section C (制造业) of GB/T 4754-2017 down to 4-digit classes."""
    IndustryClass = apps.get_model("registry", "IndustryClass")
    with DATA.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh)]
    keep = {"C"}
    items = []
    for row in rows:  # standard order: parents come before their children
        if row["code"] in keep or row["parent"] in keep:
            keep.add(row["code"])
            items.append(IndustryClass(code=row["code"], name=row["name"], level=row["level"], parent_id=row["parent"] or None))
    IndustryClass.objects.bulk_create(items, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
