"""``manage.py evaluate_ta COURSE``: base vs tuned assistant on the course's held-out questions (JSON on stdout), and
the escalation gate calibrated on them, stored on the course's assistant model (see
`tutor.assistant.tuning.evaluate`)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Measure base vs course-tuned assistant on held-out questions; calibrate the escalation gate."

    def add_arguments(self, parser):
        parser.add_argument("course", help="course slug, e.g. llm101n")
        parser.add_argument("--questions", type=Path, default=None, help="YAML of questions (default: the course's own)")
        parser.add_argument("--no-save", action="store_true", help="do not store the report and gate on the model")
        parser.add_argument("--out", type=Path, default=None, help="also write the JSON report to this file")

    def handle(self, *args, course, questions, no_save, out, **opts):
        from courses import api as courses
        from inference.errors import InferenceError
        from tutor.assistant.models import AssistantModel
        from tutor.assistant.tuning.evaluate import EvaluationError, evaluate_course
        from tutor.assistant.tuning.services import save_evaluation

        info = courses.get_course(course)
        if info is None:
            raise CommandError(f"no course {course!r}")
        row = AssistantModel.objects.filter(course_id=info.id).exclude(adapter_path="").first()
        if row is None:
            raise CommandError(f"{course} has no tuned assistant yet: run manage.py tune_ta {course}")
        try:
            report = evaluate_course(
                course, base_path=row.base_model_path, adapter_path=row.adapter_path, questions_path=questions
            )
        except (EvaluationError, InferenceError) as exc:
            raise CommandError(str(exc))
        if not no_save:
            save_evaluation(course_id=info.id, report=report, threshold=report["gate"]["min_mean_logprob"])
        text = json.dumps(report, indent=2, ensure_ascii=False)
        if out:
            out.write_text(text + "\n")
        self.stdout.write(text)
