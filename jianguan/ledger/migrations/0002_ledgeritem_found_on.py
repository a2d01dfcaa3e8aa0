"""LedgerItem.found_on: the day the problem was found (its inspection's completion day, local time), stored and
indexed for the dashboard's trends and the ledger's found-from/to filter. Existing items take it from their
inspection (or, should an inspection have no completion time, from the day the item was entered)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate


def fill_found_on(apps, schema_editor):
    LedgerItem = apps.get_model("ledger", "LedgerItem")
    Inspection = apps.get_model("inspections", "Inspection")
    completed = Inspection.objects.filter(pk=OuterRef("inspection_id")).annotate(day=TruncDate("completed_at"))
    LedgerItem.objects.using(schema_editor.connection.alias).update(
        found_on=Coalesce(Subquery(completed.values("day")[:1]), TruncDate("created_at"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0002_finding_deadline"),
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgeritem",
            name="found_on",
            field=models.DateField(null=True, verbose_name="发现日期"),
        ),
        migrations.RunPython(fill_found_on, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="ledgeritem",
            name="found_on",
            field=models.DateField(verbose_name="发现日期"),
        ),
        migrations.AddIndex(
            model_name="ledgeritem",
            index=models.Index(fields=["found_on"], name="ledger_ledg_found_o_f1507f_idx"),
        ),
    ]
