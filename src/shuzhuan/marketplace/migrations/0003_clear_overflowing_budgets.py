from django.db import migrations


def forwards(apps, schema_editor):
    from shuzhuan.marketplace.migrations._bounds import clear_overflowing_budgets

    clear_overflowing_budgets(apps.get_model("marketplace", "Need"))


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0002_default_categories")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
