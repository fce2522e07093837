from django.core.management.base import BaseCommand, CommandError

from courses.export import export_course
from courses.models import Course


class Command(BaseCommand):
    help = "Write a course as a package folder that imports back to the same course."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("path")

    def handle(self, slug, path, **options):
        try:
            out = export_course(slug=slug, path=path)
        except Course.DoesNotExist as exc:
            raise CommandError(f"no course with slug {slug!r}") from exc
        self.stdout.write(f"exported {slug} to {out}")
