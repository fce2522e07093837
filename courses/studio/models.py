"""Studio tables: one draft per course (a package *document*, see ``courses.package.package_from_document``) and the
append-only list of published versions (snapshots of the document, diffable and restorable)."""

from django.conf import settings
from django.db import models


class CourseDraft(models.Model):
    """The faculty's working copy of a course. ``version`` increases by one on every save (optimistic concurrency:
    a save names the version it edited). ``dirty`` is True while the draft holds edits not yet published."""

    course = models.OneToOneField("courses.Course", on_delete=models.CASCADE, related_name="draft")
    document = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    dirty = models.BooleanField(default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"draft of {self.course_id} v{self.version}"


class CourseVersion(models.Model):
    """One publish: the document as published, a change summary, who and when. ``number`` counts from 1 per course."""

    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    digest = models.CharField(max_length=64, help_text="SHA-256 of the document's canonical JSON (cheap equality)")
    summary = models.TextField()
    note = models.CharField(max_length=300, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "-number"]
        constraints = [models.UniqueConstraint(fields=["course", "number"], name="course_version_number_once")]

    def __str__(self) -> str:
        return f"{self.course_id} v{self.number}"
