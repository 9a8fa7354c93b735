"""Issue 19: one meaning per name (decision record 0026)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_verbose_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RenameIndex(
                    "escalation",
                    new_name="supervision_unit_id_c1f0b0_idx",
                    old_name="supervision_unit_id_7b41c3_idx",
                ),
                migrations.RenameField("escalation", "action", "measure"),
            ],
            state_operations=[
                migrations.RemoveIndex("escalation", "supervision_unit_id_7b41c3_idx"),
                migrations.RenameField("escalation", "action", "measure"),
                migrations.AddIndex(
                    "escalation",
                    models.Index(
                        fields=["unit", "measure", "at"], name="supervision_unit_id_c1f0b0_idx"
                    ),
                ),
            ],
        ),
    ]
