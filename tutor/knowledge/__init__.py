"""Knowledge tracing: pure numpy/scipy models with no Django imports (the tutor's services call them).

- ``bkt``: BKT update math (Corbett & Anderson 1995). ``bkt_em``: per-concept EM fitting, vectorised.
- ``model``: the per-problem P(correct) model, online: ``predict_correct``, ``apply_attempt``, ``update_item``,
  ``decayed_mastery``, with states from ``state`` (``StudentConceptState``, ``StudentTotals``) and parameters
  from ``params`` (``ModelParams`` with ``to_dict`` / ``from_dict``).
- ``fit``: offline ``fit(AttemptLog) -> ModelParams`` and ``predict_log`` (online-equivalent replay).
- ``evaluate``: ``python -m tutor.knowledge.evaluate --train FILE --test FILE`` (ASSISTments 2009 split).

Submodules are imported explicitly (``from tutor.knowledge.model import predict_correct``) so that importing
``tutor.knowledge.bkt`` stays free of scipy.
"""
