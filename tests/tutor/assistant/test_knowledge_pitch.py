"""The assistant knows the student's knowledge state: the system prompt lists what they have mastered and what they
are learning now, and says how to pitch the explanation; a student with no evidence yet is flagged as such."""

from __future__ import annotations

import time

from .conftest import ask, receive_until


def _place_out(user, course_id, slugs):
    from tutor.knowledge.state import StudentConceptState
    from tutor.practice import learner as store

    _, ids = store.course_graph(course_id)
    states = {s: StudentConceptState(mastery=0.97, last_practised=time.time(), placed=True) for s in slugs}
    store.save_states(user, course_id, states, ids)


def _step_id(slug):
    from courses.models import Step

    return Step.objects.get(slug=slug).pk


async def test_prompt_carries_mastered_and_frontier_concepts(connect, ta_student, ta_course, scripted):
    from asgiref.sync import sync_to_async

    engine = scripted("Since you know count tables, let's build on that.")
    comm = await connect(ta_student)
    step = await sync_to_async(_step_id)("normalise")
    await comm.send_json_to(ask("Why divide by the total?", step=step))
    await receive_until(comm, "done")
    system = engine.calls[-1][0]["content"]
    assert "nothing shown yet" in system and "Mastered:" not in system
    await sync_to_async(_place_out)(ta_student, ta_course.id, ["counting", "tables"])
    await comm.send_json_to(ask("And why does the row sum to one?", step=step))
    await receive_until(comm, "done")
    system = engine.calls[-1][0]["content"]
    assert "- Mastered: Count tables, Counting." in system  # the step's prerequisites first
    assert "- Learning now (frontier): Normalising counts." in system
    assert "Pitch your explanation to this" in system


def test_a_course_tuned_model_is_told_the_knowledge_state_too():
    """The compact prompt (what a course-tuned adapter is served) carries the same knowledge state in one line."""
    from tutor.assistant.learner_profile import KnowledgeProfile
    from tutor.assistant.prompt import Focus, build_compact_messages

    def system(knowledge):
        focus = Focus(step=None, problem=None, state=None)
        kw = dict(course_title="Example", focus=focus, hits=[], history=[], question="why?", knowledge=knowledge)
        return build_compact_messages(**kw)[0]["content"]

    placed = KnowledgeProfile(mastered=("Counting", "Count tables"), frontier=("Normalising counts",), placed=True)
    assert "Student has mastered: Counting, Count tables; learning: Normalising counts." in system(placed)
    assert "mastered" not in system(KnowledgeProfile(mastered=(), frontier=(), placed=False))
    assert "mastered" not in system(None)
