"""Membership now belongs to courses (courses 0002 takes over the same table); academy forgets it, state only."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("academy", "0001_initial"), ("courses", "0002_membership")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Membership")], database_operations=[]),
    ]
