from datetime import date, timedelta

from django.db import migrations, models

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def fill_team_codes(apps, schema_editor):
    from core.models import unique_team_code

    Team = apps.get_model("core", "Team")
    taken = []
    for team in Team.objects.order_by("pk"):
        team.code = unique_team_code(team.name, taken)
        taken.append(team.code)
        team.save(update_fields=["code"])


def fill_working_days(apps, schema_editor):
    from core.calendar import is_working_day

    WorkingDay = apps.get_model("core", "WorkingDay")
    rows, ordinal, day = [], 0, FIRST_DAY
    while day <= LAST_DAY:
        working = is_working_day(day)
        ordinal += working
        rows.append(WorkingDay(day=day, ordinal=ordinal, working=working))
        day += timedelta(days=1)
    WorkingDay.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_demo_seed_run"),
    ]

    operations = [
        migrations.AddField(
            model_name="team",
            name="code",
            field=models.CharField(blank=True, help_text="Short unique code, e.g. ARM.", max_length=20, null=True),
        ),
        migrations.RunPython(fill_team_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="team",
            name="code",
            field=models.CharField(blank=True, help_text="Short unique code, e.g. ARM.", max_length=20, unique=True),
        ),
        migrations.CreateModel(
            name="WorkingDay",
            fields=[
                ("day", models.DateField(primary_key=True, serialize=False)),
                ("ordinal", models.PositiveIntegerField()),
                ("working", models.BooleanField()),
            ],
            options={
                "ordering": ["day"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("working", True)), fields=["ordinal"], name="workingday_ordinal_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(fill_working_days, migrations.RunPython.noop),
    ]
