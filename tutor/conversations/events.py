"""Events of conversations: the channel-layer groups they go to, and the domain signals other domains listen to."""

from __future__ import annotations

from django.dispatch import Signal

#: An endorsed or corrected answer changed a course's verified sources (kwargs: ``course_id``); the assistant
#: re-indexes its retrieval sources (receiver connected in ``tutor.apps``).
sources_changed = Signal()


def queue_group(course_id: int) -> str:
    """Channel-layer group of a course's TAs' open queue dashboards."""
    return f"ta.queue.{course_id}"


def student_group(course_id: int, user_id: int) -> str:
    """Channel-layer group of one student's open TA websockets (human answers arrive here)."""
    return f"ta.student.{course_id}.{user_id}"
