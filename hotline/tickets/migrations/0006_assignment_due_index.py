# The sweeper's claim index (issue 7): next_check_at of the active, watched assignments.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0005_ticket_search_terms"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("active", True), ("state__in", ["dispatched", "handling"])),
                fields=["next_check_at"],
                name="tickets_assignment_due",
            ),
        ),
    ]
