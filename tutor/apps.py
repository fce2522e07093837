from django.apps import AppConfig


class TutorConfig(AppConfig):
    name = "tutor"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses.signals import course_imported
        from tutor.practice.learner import forget_graph

        course_imported.connect(
            lambda sender, course_id, **kw: forget_graph(course_id), weak=False, dispatch_uid="tutor-forget-graph"
        )
