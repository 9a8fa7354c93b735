# The leader's approvals read in order from one partial index: each reply carries its
# assignment's unit and urgency (copied; neither changes on an assignment), filled here
# for the replies already written (issue 16).

import django.db.models.deletion
from django.db import migrations, models

COPY = """
UPDATE tickets_reply SET
    unit_id = (SELECT a.unit_id FROM tickets_assignment a WHERE a.id = tickets_reply.assignment_id),
    urgency = (SELECT a.urgency FROM tickets_assignment a WHERE a.id = tickets_reply.assignment_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_topic_catalogitem"),
        ("tickets", "0019_visit_queue_no_deadline_last"),
    ]

    operations = [
        migrations.AddField(
            model_name="reply",
            name="unit",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.unit",
                verbose_name="unit",
            ),
        ),
        migrations.AddField(
            model_name="reply",
            name="urgency",
            field=models.CharField(
                choices=[("normal", "Normal"), ("urgent", "Urgent")],
                default="normal",
                max_length=8,
                verbose_name="urgency",
            ),
        ),
        migrations.RunSQL(COPY, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="reply",
            name="unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.unit",
                verbose_name="unit",
            ),
        ),
        migrations.AddIndex(
            model_name="reply",
            index=models.Index(
                models.F("unit"),
                models.OrderBy(models.F("urgency"), descending=True),
                models.F("written_at"),
                models.F("id"),
                condition=models.Q(("state", "submitted")),
                name="reply_approval_queue",
            ),
        ),
    ]
