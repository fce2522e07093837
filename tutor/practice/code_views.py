"""Code problem edges (htmx partials): Run / Submit a code problem, and poll a submission being graded."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

import sandbox
from tutor.practice import code, selectors, services
from tutor.practice.grading import InvalidAnswer
from tutor.practice.models import CodeSubmission
from tutor.practice.views import _problem_for, _problem_response


def _files_from_form(request, problem) -> dict:
    return {name: request.POST[f"file:{name}"] for name in problem.starter_files if f"file:{name}" in request.POST}


@login_required
@require_POST
def problem_code(request, problem_id):
    """POST mode=run|submit, client_id, file:<name>=code. Run answers with the results partial; Submit with the whole
    problem (attempt count, solution unlock) including the results."""
    problem = _problem_for(request, problem_id)
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        client_id = uuid.uuid4()
    mode = request.POST.get("mode", "run")
    try:
        sub = code.submit_code(
            user=request.user, problem_id=problem.id, files=_files_from_form(request, problem), mode=mode, client_id=client_id
        )
    except (InvalidAnswer, services.TutorError) as exc:
        status = getattr(exc, "code", 400)
        if mode == "submit":
            return _problem_response(request, problem, status=status if status != 400 else 200, error=str(exc))
        return render(request, "tutor/_code_results.html", {"error": str(exc), "p": problem}, status=status)
    if mode == "submit":
        return _problem_response(request, problem, submission=sub)
    return render(request, "tutor/_code_results.html", {"sub": sub, "p": problem, "new_client_id": uuid.uuid4()})


@login_required
@require_GET
def code_submission(request, submission_id):
    """The results partial of one of the student's own submissions (polled while it is queued)."""
    sub = CodeSubmission.objects.filter(pk=submission_id, user=request.user).first()
    if sub is None:
        raise Http404("No such submission")
    problem = _problem_for(request, sub.problem_id)
    return render(request, "tutor/_code_results.html", {"sub": sub, "p": problem, "poll": True})


def code_context(user, problem) -> dict:
    """What the editor shows: the last code the student ran or submitted (else the starter) and that result."""
    last = selectors.last_code_submission(user, problem.id)
    files = dict(problem.starter_files)
    if last:
        files.update({k: v for k, v in last.files.items() if k in files})
    return {
        "code_files": list(files.items()),
        "last_submission": last,
        "new_client_id": uuid.uuid4(),
        "sandbox_missing": "" if sandbox.available() else sandbox.UNAVAILABLE,
    }
