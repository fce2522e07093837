"""Django admin for operators. Course content is read-only here: faculty edit it in the studio (``/studio/<slug>/``),
where every save is validated like a package and rendered by the student renderer; memberships stay editable."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from .models import Concept, Course, CourseVersion, Hint, Membership, Module, Problem, Step


class ReadOnlyContent(admin.ModelAdmin):
    """View-only: content changes go through the studio (validation, drafts, versions)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HintInline(admin.TabularInline):
    model = Hint
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Course)
class CourseAdmin(ReadOnlyContent):
    list_display = ("title", "slug", "studio", "updated_at")
    search_fields = ("title", "slug")

    @admin.display(description="Edit in")
    def studio(self, obj):
        try:
            return format_html('<a href="{}">studio</a>', reverse("studio-outline", args=[obj.slug]))
        except NoReverseMatch:
            return "—"


@admin.register(Module)
class ModuleAdmin(ReadOnlyContent):
    list_display = ("title", "course", "position", "archived")
    list_filter = ("course", "archived")


@admin.register(Concept)
class ConceptAdmin(ReadOnlyContent):
    list_display = ("name", "slug", "course", "module", "archived")
    list_filter = ("course",)
    search_fields = ("name", "slug")


@admin.register(Step)
class StepAdmin(ReadOnlyContent):
    list_display = ("title", "slug", "module", "kind", "position", "archived")
    list_filter = ("course", "kind", "archived")
    search_fields = ("title", "slug")


@admin.register(Problem)
class ProblemAdmin(ReadOnlyContent):
    list_display = ("slug", "kind", "step", "difficulty", "archived")
    list_filter = ("course", "kind", "archived")
    search_fields = ("slug", "prompt_md")
    inlines = [HintInline]


@admin.register(CourseVersion)
class CourseVersionAdmin(ReadOnlyContent):
    list_display = ("course", "number", "published_by", "published_at", "summary")
    list_filter = ("course",)
    exclude = ("document",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "role", "created_at")
    list_filter = ("role", "course")
    search_fields = ("user__username",)
