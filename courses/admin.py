from django.contrib import admin

from .models import Concept, Course, Hint, Membership, Module, Problem, Step


class HintInline(admin.TabularInline):
    model = Hint
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "updated_at")
    search_fields = ("title", "slug")


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("title", "course", "position", "archived")
    list_filter = ("course", "archived")


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "course", "module", "archived")
    list_filter = ("course",)
    search_fields = ("name", "slug")


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "module", "kind", "position", "archived")
    list_filter = ("course", "kind", "archived")
    search_fields = ("title", "slug")


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ("slug", "kind", "step", "difficulty", "archived")
    list_filter = ("course", "kind", "archived")
    search_fields = ("slug", "prompt_md")
    inlines = [HintInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "role", "created_at")
    list_filter = ("role", "course")
    search_fields = ("user__username",)
