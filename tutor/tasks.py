"""Every Celery task of the tutor app, gathered so the worker's autodiscovery (``tutor.tasks``) registers them.
Each lives in its domain's ``tasks.py``; import them from there."""

from tutor.assistant.tasks import reindex_course_task, tune_assistant_task  # noqa: F401
from tutor.conversations.tasks import send_notification_email_task  # noqa: F401
from tutor.practice.tasks import fit_knowledge_model_task, grade_code_task  # noqa: F401
from tutor.staffing.tasks import anonymize_shared_thread_task  # noqa: F401
