from django.db import migrations, models

# Portable SQL (PostgreSQL and the demo's SQLite): each milestone's minutes from its log.
BACKFILL = """
UPDATE roadmaps_milestone SET logged_minutes = COALESCE(
    (SELECT SUM(e.minutes) FROM roadmaps_progressentry e WHERE e.milestone_id = roadmaps_milestone.id), 0
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("roadmaps", "0004_reviews"),
    ]

    operations = [
        migrations.AddField(
            model_name="milestone",
            name="logged_minutes",
            field=models.PositiveIntegerField(
                default=0,
                help_text="The minutes of its progress log: kept by progress_entry_log in the transaction that adds "
                "the entry, under the milestone's row lock (entries are never edited or deleted on their own).",
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
