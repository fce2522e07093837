"""The tutor's adaptive engine: pure Python/numpy, no Django.

- graph: CourseGraph (concepts, prerequisite DAG, problems, indexes).
- state: ConceptKnowledge, KnowledgeConfig, ConceptStatus, concept_statuses, knowledge_map (forgetting included).
- predict: the Predictor protocol (per-problem P(correct)) and the default DifficultyBKT.
- tracing: record_attempt (conjunctive BKT update, spaced-review bookkeeping, prerequisite transfer).
- policy: next_problem (frontier + due reviews, 85 % targeting) -> Selection.
- diagnostic: Diagnostic (adaptive placement over down-sets of the DAG).
- synthetic / simulator: a ramp-shaped synthetic course, simulated students and baseline curricula.
"""

from tutor.engine.diagnostic import Diagnostic
from tutor.engine.graph import Concept, CourseGraph, GraphError, Problem
from tutor.engine.policy import Selection, next_problem
from tutor.engine.predict import DifficultyBKT, Predictor
from tutor.engine.state import ConceptKnowledge, ConceptStatus, KnowledgeConfig, concept_statuses, knowledge_map
from tutor.engine.tracing import record_attempt

__all__ = [
    "Concept",
    "ConceptKnowledge",
    "ConceptStatus",
    "CourseGraph",
    "Diagnostic",
    "DifficultyBKT",
    "GraphError",
    "KnowledgeConfig",
    "Predictor",
    "Problem",
    "Selection",
    "concept_statuses",
    "knowledge_map",
    "next_problem",
    "record_attempt",
]
