"""Trigram indexes for Chinese substring search on PostgreSQL, and the default licence requirements."""

from django.db import migrations

DEFAULT_REQUIREMENTS = {
    # 学科类 and 非学科类 training need a school permit and a legal-entity registration.
    "academic": ["school_permit", "legal_entity"],
    "non_academic": ["school_permit", "legal_entity"],
    # 小饭桌 need the registration and a food business licence or small-catering filing (食品经营许可/小餐饮备案).
    "meal_care": ["legal_entity", "food"],
    "after_school": ["legal_entity"],
    "other": ["legal_entity"],
}


def trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite searches with LIKE over the (smaller) local data
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in ("name", "address"):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS registry_institution_{column}_trgm "
            f"ON registry_institution USING gin ({column} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in ("name", "address"):
        schema_editor.execute(f"DROP INDEX IF EXISTS registry_institution_{column}_trgm")


def default_requirements(apps, schema_editor):
    # Initial configuration of a new installation (not a user's change, so not audited); admins edit it afterwards.
    LicenceRequirement = apps.get_model("registry", "LicenceRequirement")
    if LicenceRequirement.objects.exists():
        return
    for institution_kind, licence_kinds in DEFAULT_REQUIREMENTS.items():
        for licence_kind in licence_kinds:
            LicenceRequirement.objects.create(institution_kind=institution_kind, licence_kind=licence_kind)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_institutionstatuschange_licence_licencerequirement_and_more")]

    operations = [
        migrations.RunPython(trigram_indexes, drop_trigram_indexes),
        migrations.RunPython(default_requirements, migrations.RunPython.noop),
    ]
