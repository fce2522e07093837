import json

from django.core.management.base import BaseCommand, CommandError

from courses.selectors import course_stats


class Command(BaseCommand):
    help = "Print a course's size as JSON: modules, steps, concepts, problems, hints, problems_per_module (ramp order), code_problems and code_problems_per_module."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, slug, **options):
        stats = course_stats(slug=slug)
        if stats is None:
            raise CommandError(f"no course with slug {slug!r}")
        self.stdout.write(json.dumps(stats))
