from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [("stations", "0012_search_words")]

    initial = False

    operations = [
        ops.CreateModel(
            name='BackupRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('taken_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('file_name', fields.CharField(max_length=255)),
                ('size_bytes', fields.BigIntField()),
                ('engine', fields.CharField(max_length=16)),
            ],
            options={'table': 'backup_record', 'app': 'stations', 'pk_attr': 'id', 'table_description': 'A backup that was written completely (the newest one is shown to admins).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProcessHeartbeat',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=160)),
                ('role', fields.CharField(db_index=True, max_length=16)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('seen_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('detail', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'process_heartbeat', 'app': 'stations', 'pk_attr': 'name', 'table_description': 'A running process (a scheduler replica, the bot) saying it is alive, once a minute.'},
            bases=['Model'],
        ),
    ]
