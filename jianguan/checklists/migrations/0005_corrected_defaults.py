"""The default checklists' corrected citations and order terms (checklists/defaults.py), published as a new version
of each default checklist still at its initial version; version 1 stays with the inspections that used it. A change
of the shipped configuration, not a user's, so not audited (the version's note says what changed)."""

from django.db import migrations


def correct(apps, schema_editor):
    from jianguan.checklists.defaults import correct_defaults

    correct_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("checklists", "0004_item_order_terms")]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
