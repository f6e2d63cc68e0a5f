from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('stations', '0014_operations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SendBudget',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('next_free', fields.FloatField()),
            ],
            options={'table': 'send_budget', 'app': 'stations', 'pk_attr': 'name', 'table_description': 'The overall sending budget of the bot, shared by every dispatcher replica (GCRA).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Notification',
            name='not_before',
            field=fields.DatetimeField(null=True, description='not to be sent before this moment (a back-off after an error, a hand-back)', auto_now=False, auto_now_add=False),
        ),
    ]

