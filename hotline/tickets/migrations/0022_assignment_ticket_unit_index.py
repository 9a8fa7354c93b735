# A ticket's assignments indexed with their unit and state (issue 16, decision 0053): whether
# a unit sees a ticket (tickets.models.assignment.sees_ticket) is then read from the index
# alone, and this index replaces the foreign key's own on the ticket. SQLite rebuilds the
# table to drop that index, and its statistics with it: they are gathered again, or its
# planner drives the unit's request queues from every unit's assignments (0.4 s a page at
# 1,000,000 tickets instead of 40 ms).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def analyze_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ANALYZE tickets_assignment")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_topic_catalogitem"),
        ("tickets", "0021_ticket_unit_terms"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The new index first: a ticket's assignments are never without one.
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["ticket", "unit", "state"], name="assignment_ticket_unit"),
        ),
        migrations.AlterField(
            model_name="assignment",
            name="ticket",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="assignments",
                to="tickets.ticket",
            ),
        ),
        migrations.RunPython(analyze_sqlite, migrations.RunPython.noop),
    ]
