"""The reminders job's cursor, and indexes on ``updated_at`` for its change checks.

Each run of the job asks the assignment, shift and volunteer tables for rows changed since
its cursor: with an index that is a probe that reads nothing when nothing changed. The
indexes are plain SQL (valid on both databases), not ``db_index`` on the models: tortoise's
SQLite ``AlterField`` rebuilds the table without its UNIQUE and index definitions.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('stations', '0015_dispatch_deadlines')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobCursor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=60)),
                ('params', fields.CharField(description='the settings the work was done under: other settings start again from scratch', max_length=200)),
                ('covered_until', fields.DatetimeField(description='moments up to which the job has looked at every shift (its clock)', auto_now=False, auto_now_add=False)),
                ('changed_since', fields.DatetimeField(null=True, description='rows changed after this updated_at are looked at again (the writers clock)', auto_now=False, auto_now_add=False)),
                ('high_water', fields.DatetimeField(null=True, description='the latest updated_at seen, and when the job first saw it (its clock)', auto_now=False, auto_now_add=False)),
                ('high_water_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('rescanned_at', fields.DatetimeField(description='the last full rescan (its clock)', auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=0, description='bumped by every advance, so two replicas never move the cursor from the same state')),
            ],
            options={'table': 'job_cursor', 'app': 'stations', 'pk_attr': 'id', 'table_description': 'How far a clock job that works incrementally has got (the reminders job).'},
            bases=['Model'],
        ),
        ops.RunSQL(
            [
                'CREATE INDEX IF NOT EXISTS "idx_assignment_updated_at" ON "assignment" ("updated_at")',
                'CREATE INDEX IF NOT EXISTS "idx_shift_updated_at" ON "shift" ("updated_at")',
                'CREATE INDEX IF NOT EXISTS "idx_volunteer_updated_at" ON "volunteer" ("updated_at")',
            ],
            reverse_sql=[
                'DROP INDEX IF EXISTS "idx_assignment_updated_at"',
                'DROP INDEX IF EXISTS "idx_shift_updated_at"',
                'DROP INDEX IF EXISTS "idx_volunteer_updated_at"',
            ],
        ),
    ]
