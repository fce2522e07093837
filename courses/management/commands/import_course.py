from django.core.management.base import BaseCommand, CommandError

from courses.package import CourseFormatError
from courses.services import DraftPendingError, import_course_from_path


class Command(BaseCommand):
    help = "Create or update a course from a package folder (docs/course-format.md). A bad package changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, path, **options):
        try:
            result = import_course_from_path(path=path)
        except CourseFormatError as exc:
            for err in exc.errors:
                self.stderr.write(str(err))
            raise CommandError(f"{len(exc.errors)} error(s): nothing was imported") from exc
        except DraftPendingError as exc:
            raise CommandError(f"{exc}: nothing was imported") from exc
        self.stdout.write(f"imported {path}: {result.summary()}")
