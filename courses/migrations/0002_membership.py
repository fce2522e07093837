"""Membership moves from academy to courses; the table (academy_membership) and its rows stay where they are."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("academy", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(choices=[("student", "Student"), ("ta", "TA"), ("faculty", "Faculty")], max_length=10)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("course", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="courses.course")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "academy_membership",
                        "indexes": [models.Index(fields=["course", "role"], name="academy_mem_course__d4d0f5_idx")],
                        "constraints": [models.UniqueConstraint(fields=("user", "course", "role"), name="one_role_row_per_user_course")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
