"""LedgerItem.street: the institution's street, stored so that the dashboard groups and filters the ledger by street
without joining the registry (100k institutions hashed for every such query). Existing items take their institution's
street; later moves follow through the registry's `institution_moved` signal."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_street(apps, schema_editor):
    LedgerItem = apps.get_model("ledger", "LedgerItem")
    Institution = apps.get_model("registry", "Institution")
    street = Institution.objects.filter(pk=OuterRef("institution_id")).values("street_id")[:1]
    LedgerItem.objects.using(schema_editor.connection.alias).update(street_id=Subquery(street))


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_ledgeritem_category_institution_statistics"),
        ("org", "0001_initial"),
        ("registry", "0005_institution_kind_status_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgeritem",
            name="street",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.region",
                verbose_name="街道/乡镇",
            ),
        ),
        migrations.RunPython(fill_street, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="ledgeritem",
            name="street",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.region",
                verbose_name="街道/乡镇",
            ),
        ),
    ]
