"""The tutor's one learner model: pure numpy/scipy, no Django (the tutor's practice services call it).

One state, one forgetting rule, one update, one prediction, used by the app, the policy, the diagnostic, the
simulator, the fit and the evaluation; the unfitted ``ModelParams()`` is the cold start.

- ``state``: ``StudentConceptState`` (one per student and concept) and ``StudentTotals`` (per course); the forgetting
  rule ``decay_mastery`` (half-life regression) and the time helpers.
- ``model``: ``predict_correct`` (BKT-LR: BKT mastery + counts + item difficulty, logistic), ``apply_attempt``
  (decay, then BKT; counts; ``solution_seen`` gives no credit), ``guess_slip``, ``update_item``.
- ``params``: ``ModelParams`` with ``to_dict`` / ``from_dict``. ``bkt``: BKT math (Corbett & Anderson 1995).
- ``fit``: offline ``fit(AttemptLog) -> ModelParams`` (``bkt_em`` EM + ``logistic``) and ``predict_log``
  (the vectorised replay of ``apply_attempt`` / ``predict_correct``, ``features``).
- ``evaluate``: ``python -m tutor.knowledge.evaluate --train FILE --test FILE`` (ASSISTments 2009 split).
- ``graph``: ``CourseGraph`` (concepts, prerequisite DAG, problems). ``statuses``: mastered / frontier / locked /
  review_due. ``policy``: ``next_problem``. ``diagnostic``: adaptive placement.
- ``synthetic`` / ``simulator``: synthetic ramp courses, simulated students and baseline curricula.

Submodules are imported explicitly (``from tutor.knowledge.model import predict_correct``) so that importing
``tutor.knowledge.bkt`` stays free of scipy.
"""
