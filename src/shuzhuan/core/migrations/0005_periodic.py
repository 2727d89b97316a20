from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_audit_action_length'),
    ]

    operations = [
        migrations.CreateModel(
            name='PeriodicRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='周期任务')),
                ('period_start', models.DateTimeField(blank=True, null=True, verbose_name='最近周期')),
                ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='最近加入队列')),
                ('result_id', models.CharField(blank=True, max_length=64, verbose_name='任务编号')),
            ],
            options={
                'verbose_name': '周期任务记录',
                'verbose_name_plural': '周期任务记录',
            },
        ),
    ]
