"""Every Celery task of the tutor app, gathered so the worker's autodiscovery (``tutor.tasks``) registers them.
Each lives in its domain's ``tasks.py``; import them from there."""

from tutor.assistant.tasks import tune_assistant_task  # noqa: F401
from tutor.practice.tasks import fit_knowledge_model_task  # noqa: F401
from tutor.staffing.tasks import (  # noqa: F401
    anonymize_shared_thread_task,
    reindex_course_task,
    send_notification_email_task,
)
