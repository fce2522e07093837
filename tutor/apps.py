from django.apps import AppConfig


class TutorConfig(AppConfig):
    """The tutor app: its domains (practice, conversations, assistant, staffing) wired to each other's signals here,
    so that no lower domain imports a higher one (docs/architecture.md)."""

    name = "tutor"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses.api import course_imported
        from tutor.assistant.api import on_sources_changed
        from tutor.conversations.api import sources_changed
        from tutor.practice.api import forget_graph

        course_imported.connect(
            lambda sender, course_id, **kw: forget_graph(course_id), weak=False, dispatch_uid="tutor-forget-graph"
        )
        sources_changed.connect(on_sources_changed, weak=False, dispatch_uid="tutor-assistant-reindex")
