"""Celery tasks of practice (thin: each calls a service)."""

from celery import shared_task


@shared_task
def fit_knowledge_model_task(course_id: int) -> dict:
    """Refit the course's knowledge model from its attempt log; returns the data size fitted on."""
    from tutor.practice.fitting import fit_knowledge_model

    fit = fit_knowledge_model(course_id=course_id)
    return {
        "fit_id": fit.id,
        "n_attempts": fit.n_attempts,
        "n_students": fit.n_students,
        "concepts": len(fit.params["bkt"]),
        "problems": len(fit.params["difficulty"]),
        "fit_seconds": round(fit.fit_seconds, 3),
    }


@shared_task(acks_late=True)
def grade_code_task(submission_id: int) -> dict:
    """Grade one code submission in the sandbox; returns its status and whether every test passed."""
    from tutor.practice.code import grade_code

    sub = grade_code(submission_id=submission_id)
    return {"submission_id": sub.id, "status": sub.status, "passed": bool(sub.result and sub.result.get("passed"))}
