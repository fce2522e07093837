"""What one student may see of the course's hidden material, from their attempt history.

A problem is *open* until the student has solved it or revealed its worked solution: its solution never reaches
them (nor the model), and its answer is guarded in the output. Hints are visible up to the rung they revealed
(all of them once the problem is done).
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.assistant.chunks import Chunk
from tutor.practice import api as practice


@dataclass
class StudentView:
    states: dict[int, practice.ProblemState]

    @classmethod
    def load(cls, user, problem_ids) -> StudentView:
        return cls(practice.problem_states(user, problem_ids))

    def state(self, problem_id: int | None) -> practice.ProblemState:
        return self.states.get(problem_id) or practice.ProblemState()

    def is_open(self, problem_id: int) -> bool:
        return not self.state(problem_id).done

    def visible(self, chunk: Chunk) -> bool:
        if chunk.kind == "solution":
            return not self.is_open(chunk.problem_id)
        if chunk.kind == "hint":
            s = self.state(chunk.problem_id)
            return s.done or (chunk.position or 0) < s.hints_revealed
        return True
