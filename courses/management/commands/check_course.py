import json

from django.core.management.base import BaseCommand, CommandError

from courses.code_check import check_code_problems
from courses.package import CourseFormatError, load_package
from courses.package_schema import COURSE_SCHEMA, MODULE_SCHEMA


class Command(BaseCommand):
    help = "Validate a course package without importing it; lists every error as file:line: message."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?")
        parser.add_argument("--schema", action="store_true", help="print the JSON Schema of course.yaml and module.yaml")
        parser.add_argument(
            "--no-run", action="store_true", help="skip running code problems' reference and starter in the sandbox"
        )

    def handle(self, path=None, schema=False, no_run=False, **options):
        if schema:
            self.stdout.write(json.dumps({"course.yaml": COURSE_SCHEMA, "module.yaml": MODULE_SCHEMA}, indent=2))
            return
        if not path:
            raise CommandError("give a package PATH (or --schema)")
        try:
            pkg = load_package(path)
        except CourseFormatError as exc:
            for err in exc.errors:
                self.stdout.write(str(err))
            raise CommandError(f"{len(exc.errors)} error(s)") from exc
        n_code = sum(1 for p in pkg.problems if p.kind == "code")
        if n_code and not no_run:
            try:
                errors = check_code_problems(pkg)
            except RuntimeError as exc:
                raise CommandError(f"cannot check the {n_code} code problem(s): {exc}") from exc
            for err in errors:
                self.stdout.write(str(err))
            if errors:
                raise CommandError(f"{len(errors)} error(s)")
        self.stdout.write(
            f"0 errors: {pkg.slug}: {len(pkg.modules)} modules, {len(pkg.steps)} steps, "
            f"{len(pkg.concepts)} concepts, {len(pkg.problems)} problems"
            + (f" ({n_code} code problems run in the sandbox)" if n_code and not no_run else "")
        )
