"""What the assistant is told about the student's knowledge state, so it pitches an explanation at the right level."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.practice import api as practice

LIMIT = 10  # names per list in the prompt


@dataclass(frozen=True)
class KnowledgeProfile:
    """Concept names the student has shown mastered, and those they are learning now (frontier), most relevant first:
    the concepts of the step in view and their prerequisites, then the rest in ramp order."""

    mastered: tuple[str, ...]
    frontier: tuple[str, ...]
    placed: bool  # False when nothing is known yet (no placement, no practice)


def knowledge_profile(user, course_id: int, focus_concepts: tuple[str, ...] = ()) -> KnowledgeProfile:
    """The student's :class:`KnowledgeProfile` in a course (reads the stored knowledge state; no writes)."""
    model = practice.course_model(course_id)
    states = practice.concept_states(user, course_id)
    near = set(focus_concepts) | {q for c in focus_concepts if c in model.graph.index for q in model.graph.prerequisites(c)}
    order = sorted(model.concepts, key=lambda c: (c.slug not in near, c.position))
    mastered = tuple(c.name for c in order if states.get(c.slug, ("", 0))[0] in practice.KNOWN)[:LIMIT]
    frontier = tuple(c.name for c in order if states.get(c.slug, ("", 0))[0] == "frontier")[:LIMIT]
    return KnowledgeProfile(mastered, frontier, bool(mastered) or practice.load_states(user, course_id) != {})
