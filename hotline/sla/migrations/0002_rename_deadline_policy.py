"""Issue 19: one meaning per name (decision record 0026)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel(old_name="Policy", new_name="DeadlinePolicy"),
    ]
