"""Signals other apps may listen to (courses imports nothing of theirs)."""

from django.dispatch import Signal

# Sent after an import that changed a course commits; kwargs: course_id.
course_imported = Signal()
