from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('stations', '0003_count_confirmations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SignInAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(db_index=True, max_length=254)),
                ('address', fields.CharField(db_index=True, max_length=64)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'signin_attempt', 'app': 'stations', 'pk_attr': 'id', 'table_description': 'A failed web sign-in, kept a short while so repeated guessing is slowed down.'},
            bases=['Model'],
        ),
    ]
