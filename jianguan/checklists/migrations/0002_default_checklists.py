"""The default checklists (checklists/defaults.py), published as version 1 of each. Initial configuration of a new
installation, not a user's change, so not audited; admins publish new versions in the UI."""

from django.db import migrations


def install(apps, schema_editor):
    from jianguan.checklists.defaults import install_defaults

    install_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("checklists", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
