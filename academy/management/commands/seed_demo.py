from django.contrib.auth.models import Permission, User
from django.core.management.base import BaseCommand

from courses.api import grant_role, list_courses
from courses.models import Membership

DEMO = [
    ("student", "student", Membership.Role.STUDENT),
    ("faculty", "faculty", Membership.Role.FACULTY),
    ("ta", "ta", Membership.Role.TA),
]
PASSWORD = "academy-demo"


class Command(BaseCommand):
    help = "Create the demo accounts (a student, a faculty member, a TA) in every course; idempotent; prints them."

    def handle(self, **options):
        courses = list_courses()
        for username, _, role in DEMO:
            user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            if created:
                user.set_password(PASSWORD)
                user.save()
            if (
                role == Membership.Role.FACULTY and not user.is_staff
            ):  # authors may look content up in the admin (read-only; they edit in the studio)
                user.is_staff = True
                user.save(update_fields=["is_staff"])
                user.user_permissions.add(*Permission.objects.filter(content_type__app_label="courses"))
            for c in courses:
                grant_role(user=user, course_id=c.id, role=role)
        self.stdout.write(
            "Demo accounts (password 'academy-demo'): student (student), faculty (author; course studio at /studio/<course>/), ta (TA)"
        )
