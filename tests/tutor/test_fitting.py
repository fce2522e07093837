"""Fitting the knowledge model from the attempt log (the real EM code on real rows) and using it."""

import json
import uuid

import pytest
from django.core.management import call_command

from tutor.knowledge.model import item_difficulty, logit
from tutor.practice.learner import course_model, model_params
from tutor.practice.models import Attempt, KnowledgeModelFit

pytestmark = pytest.mark.django_db


def test_fit_from_attempts_is_stored_with_its_data_size(course, make_user, problem_id, capsys):
    pid = problem_id("table-cells")
    for n in range(12):
        user = make_user(f"s{n}", course=course)
        for k in range(4):  # students improve: wrong, then right
            Attempt.objects.create(
                user=user,
                course_id=course.id,
                problem_id=pid,
                client_attempt_id=uuid.uuid4(),
                answer=9,
                correct=k >= (n % 3),
                hints_seen=0,
            )
    call_command("fit_knowledge_model", "example")
    out = json.loads(capsys.readouterr().out)
    assert out["n_attempts"] == 48 and out["n_students"] == 12 and out["concepts"] == 1 and out["problems"] == 1
    fit = KnowledgeModelFit.objects.get()
    p = fit.params["bkt"]["tables"]
    assert fit.params["rows"]["tables"] == 48
    assert all(0 <= p[k] <= 1 for k in ("prior", "learn", "guess", "slip"))
    # the app now serves with the fitted model
    assert model_params(course.id).concept("tables").bkt.learn == pytest.approx(p["learn"])
    # the problem's difficulty is refined from data (most attempts here were correct: easier than the author said)
    refined = fit.params["difficulty"][str(pid)]
    assert 0 < refined < 1
    author = course_model(course.id).graph.problem(pid).difficulty
    assert item_difficulty(model_params(course.id), pid, author) == pytest.approx(logit(refined))
    assert refined < author


def test_unknown_course_and_empty_log(course):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no course"):
        call_command("fit_knowledge_model", "nope")
    with pytest.raises(CommandError, match="no attempts"):
        call_command("fit_knowledge_model", "example")
