"""The default emergency keywords (R-IN-4, ZS 13(一)); the administrator edits the list."""

from django.db import migrations

from hotline.emergencies.defaults import DEFAULTS  # one list for the migration and the demo


def add(apps, schema_editor):
    keyword = apps.get_model("emergencies", "EmergencyKeyword")
    for service, words in DEFAULTS.items():
        for word in words:
            keyword.objects.get_or_create(word=word, defaults={"service": service})


def remove(apps, schema_editor):
    keyword = apps.get_model("emergencies", "EmergencyKeyword")
    words = [w for ws in DEFAULTS.values() for w in ws]
    keyword.objects.filter(word__in=words).delete()


class Migration(migrations.Migration):
    dependencies = [("emergencies", "0001_emergency_keywords_and_reports")]
    operations = [migrations.RunPython(add, remove)]
