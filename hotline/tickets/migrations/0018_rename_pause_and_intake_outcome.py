"""Issue 19: one meaning per name (decision record 0026)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0017_submission_counter"),
    ]

    operations = [
        migrations.RenameModel(old_name="Pause", new_name="AssignmentPause"),
        migrations.RenameField(model_name="ticket", old_name="handling", new_name="intake_outcome"),
    ]
