import json

from django.core.management.base import BaseCommand, CommandError

from courses import api as courses
from tutor.practice.tasks import fit_knowledge_model_task


class Command(BaseCommand):
    help = "Fit the course's knowledge model (per-concept BKT by EM) from its attempt log; prints the fit as JSON."

    def add_arguments(self, parser):
        parser.add_argument("course", help="course slug")
        parser.add_argument("--async", dest="run_async", action="store_true", help="queue the Celery task instead")

    def handle(self, course, run_async=False, **options):
        info = courses.get_course(course)
        if info is None:
            raise CommandError(f"no course with slug {course!r}")
        if run_async:
            self.stdout.write(f"queued task {fit_knowledge_model_task.delay(info.id).id}")
            return
        try:
            self.stdout.write(json.dumps(fit_knowledge_model_task(info.id)))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
