"""The default checklists (checklists/defaults.py), published as version 1 of each. Initial configuration of a new
installation, not a user's change, so not audited; admins publish new versions in the UI."""

from django.db import migrations
from django.utils import timezone


def install(apps, schema_editor):
    from jianguan.checklists.defaults import DEFAULT_CHECKLISTS

    Checklist = apps.get_model("checklists", "Checklist")
    ChecklistVersion = apps.get_model("checklists", "ChecklistVersion")
    ChecklistItem = apps.get_model("checklists", "ChecklistItem")
    if Checklist.objects.exists():
        return
    now = timezone.now()
    for spec in DEFAULT_CHECKLISTS:
        checklist = Checklist.objects.create(
            name=spec["name"], institution_kind=spec["institution_kind"], description=spec["description"]
        )
        version = ChecklistVersion.objects.create(
            checklist=checklist, number=1, status="published", note="初始版本", published_at=now
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                version=version,
                order=n,
                category=category,
                text=text,
                legal_basis=basis,
                severity=severity,
                period_days=period,
                photo_required=photo,
            )
            for n, (category, text, basis, severity, period, photo) in enumerate(spec["items"], start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("checklists", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
