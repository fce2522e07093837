"""The only module of ``tutor.assistant`` that other tutor domains import (contract in pyproject.toml).

The assistant (the automated TA): retrieval over the course, the tutor's rules (prompt + leak guard), model backends,
limits, and the TA websocket. Others need little of it: the websocket close codes and the ORM bridge for async
consumers, and the receiver that re-indexes a course when its verified sources change.
"""

from tutor.assistant.aio import db
from tutor.assistant.consumers import NO_COURSE, NOT_ENROLLED, UNAUTHENTICATED
from tutor.assistant.tasks import on_sources_changed, reindex_course_task

__all__ = ["NOT_ENROLLED", "NO_COURSE", "UNAUTHENTICATED", "db", "on_sources_changed", "reindex_course_task"]
