# A unit's word search narrowed inside the text index (issue 16, decision 0051): each
# ticket keeps a token per unit it was ever given to, filled here from the assignments
# already made. The index itself is (re)built after migrate (tickets.search.ensure_index);
# PostgreSQL's old one is dropped first, so that the fill, which rewrites every ticket
# row, does not also write each row's bigrams into an index about to be replaced.

from django.db import migrations, models

FILL = {
    "postgresql": """
        UPDATE tickets_ticket t SET unit_terms = u.terms FROM (
            SELECT ticket_id, string_agg(DISTINCT 'u' || unit_id, ' ') AS terms
            FROM tickets_assignment GROUP BY ticket_id
        ) u WHERE u.ticket_id = t.id
    """,
    "sqlite": """
        UPDATE tickets_ticket SET unit_terms = COALESCE((
            SELECT group_concat(token, ' ') FROM (
                SELECT DISTINCT 'u' || unit_id AS token FROM tickets_assignment
                WHERE ticket_id = tickets_ticket.id
            )
        ), '')
    """,
}


RETIRED = ("tickets_ticket_search_gin", "tickets_ticket_search_dated")  # search.PG_RETIRED


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name in RETIRED:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(FILL[vendor])


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0020_reply_unit_and_urgency"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="unit_terms",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="unit search terms"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
