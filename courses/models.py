"""Course content: Course → Module → Step → Problem (+ Hint); Concepts (knowledge components) with a prerequisite DAG.

Rows are created and updated by ``courses.services.import_course`` from a package (docs/course-format.md), keyed by
stable slugs. Things removed from a package are archived, not deleted, so students' attempts stay attached.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500)
    description_md = models.TextField(blank=True)
    description_html = models.TextField(blank=True)
    target_success = models.FloatField(default=0.85, validators=[MinValueValidator(0.01), MaxValueValidator(0.99)])
    preview_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="previews",
        help_text="Set on the hidden copy the studio imports a draft into for 'preview as a student'.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(target_success__gt=0, target_success__lt=1), name="course_target_in_0_1")
        ]

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField()
    folder = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    position = models.PositiveIntegerField()
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["course", "position"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="module_slug_per_course")]

    def __str__(self) -> str:
        return self.title


class Concept(models.Model):
    """A knowledge component (KC). ``prerequisites`` point to concepts that must be mastered first (a DAG)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="concepts")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="concepts")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField()
    archived = models.BooleanField(default=False)
    prerequisites = models.ManyToManyField("self", through="ConceptPrerequisite", symmetrical=False, related_name="dependents")

    class Meta:
        ordering = ["course", "position"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="concept_slug_per_course")]

    def __str__(self) -> str:
        return self.name


class ConceptPrerequisite(models.Model):
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="prerequisite_links")
    prerequisite = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="dependent_links")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["concept", "prerequisite"], name="prerequisite_once"),
            models.CheckConstraint(condition=~Q(concept=models.F("prerequisite")), name="prerequisite_not_self"),
        ]


class Step(models.Model):
    class Kind(models.TextChoices):
        LESSON = "lesson"
        EXERCISE = "exercise"
        PROJECT = "project"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="steps")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="steps")
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    body_file = models.CharField(max_length=200)
    body_md = models.TextField()
    body_html = models.TextField()
    position = models.PositiveIntegerField(help_text="Order in the whole course ramp.")
    archived = models.BooleanField(default=False)
    concepts = models.ManyToManyField(Concept, through="StepConcept", related_name="steps")

    class Meta:
        ordering = ["course", "position"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="step_slug_per_course")]

    def __str__(self) -> str:
        return self.title


class StepConcept(models.Model):
    step = models.ForeignKey(Step, on_delete=models.CASCADE)
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["step", "concept"], name="step_concept_once")]


class Problem(models.Model):
    class Kind(models.TextChoices):
        NUMERIC = "numeric"
        CHOICE = "choice"
        TEXT = "text"
        CODE_OUTPUT = "code_output"
        CODE = "code"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="problems")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="problems")
    slug = models.SlugField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    prompt_md = models.TextField()
    prompt_html = models.TextField()
    difficulty = models.FloatField(validators=[MinValueValidator(0), MaxValueValidator(1)])
    answer = models.JSONField(help_text="Grading data of the kind; never sent to students before they may see it.")
    solution_md = models.TextField()
    solution_html = models.TextField()
    tags = models.JSONField(default=list, blank=True)
    check_code = models.TextField(blank=True)
    unverifiable = models.TextField(blank=True)
    position = models.PositiveIntegerField(help_text="Order in the whole course ramp.")
    archived = models.BooleanField(default=False)
    concepts = models.ManyToManyField(Concept, through="ProblemConcept", related_name="problems")

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="problem_slug_per_course"),
            models.CheckConstraint(condition=Q(difficulty__gte=0, difficulty__lte=1), name="problem_difficulty_0_1"),
        ]

    def __str__(self) -> str:
        return self.slug


class ProblemConcept(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE)
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["problem", "concept"], name="problem_concept_once")]


class Hint(models.Model):
    """One rung of a problem's hint ladder; ``position`` 0 is shown first."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="hints")
    position = models.PositiveIntegerField()
    body_md = models.TextField()
    body_html = models.TextField()

    class Meta:
        ordering = ["problem", "position"]
        constraints = [models.UniqueConstraint(fields=["problem", "position"], name="hint_position_once")]


# Roles per course: a student is enrolled, faculty author the course, TAs staff it.
class Membership(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student"
        TA = "ta", "TA"
        FACULTY = "faculty"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course", "role"], name="one_role_row_per_user_course")]
        indexes = [models.Index(fields=["course", "role"], name="academy_mem_course__d4d0f5_idx")]
        db_table = "academy_membership"  # moved from academy (state-only migration); the table keeps its name

    def __str__(self) -> str:
        return f"{self.user} {self.role} in {self.course_id}"


from .studio.models import CourseDraft, CourseVersion  # noqa: E402, F401  (studio tables, app label courses)
