from django.db import migrations

# DESIGN decision 12: the seed names "三大类 82 套解决方案" without naming the classes; these are the
# defaults where sources are silent. Categories are configurable afterwards (admin).
DEFAULTS = [
    ("industry", "行业系统解决方案", 1),
    ("scenario", "场景解决方案（小快轻准）", 2),
    ("platform", "平台与上云服务", 3),
]


def load(apps, schema_editor):
    SolutionCategory = apps.get_model("marketplace", "SolutionCategory")
    for code, name, order in DEFAULTS:
        SolutionCategory.objects.update_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
