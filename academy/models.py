"""Roles per course: a student is enrolled, faculty author the course, TAs staff it."""
from django.conf import settings
from django.db import models


class Membership(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student"
        TA = "ta", "TA"
        FACULTY = "faculty"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course", "role"], name="one_role_row_per_user_course")]
        indexes = [models.Index(fields=["course", "role"])]

    def __str__(self) -> str:
        return f"{self.user} {self.role} in {self.course_id}"
