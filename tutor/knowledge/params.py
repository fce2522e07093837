"""Fitted parameters of the per-problem P(correct) model, with JSON-safe ``to_dict`` / ``from_dict``.

Concept and item ids may be ints or strings; they are stored as [id, ...] lists so their type survives JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from tutor.knowledge.bkt import BKTParams
from tutor.knowledge.state import DecayParams

MODEL_NAME = "bkt-lr"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ConceptParams:
    """Per-concept parameters.

    bkt: BKT parameters (Corbett & Anderson 1995) fitted by EM.
    bias: additive logit of the concept (0 for a concept never seen in fitting).
    w_correct / w_wrong: logit weights of log(1 + n_correct) / log(1 + n_wrong) on this concept (PFA-style,
        Pavlik, Cen & Koedinger 2009; log-scaled as in Best-LR, Gervet et al. 2020).
    w_mastery: logit weight of logit(P_BKT(correct)) for this concept.
    n_attempts: attempts the concept was fitted on (0: defaults).
    The defaults (all weights 0 but w_mastery = 1) make an unfitted model predict plain BKT's P(correct),
    shifted by the problem's difficulty.
    """

    bkt: BKTParams
    bias: float = 0.0
    w_correct: float = 0.0
    w_wrong: float = 0.0
    w_mastery: float = 1.0
    n_attempts: int = 0


@dataclass(frozen=True)
class ItemParams:
    """Per-problem difficulty on the logit scale (higher = harder; the IRT b parameter) and the number of
    attempts it was estimated from (its data size)."""

    difficulty: float
    n_attempts: int = 0


@dataclass(frozen=True)
class GlobalWeights:
    """Logit weights shared by all problems.

    intercept; w_recent_correct / w_recent_wrong: recency-weighted counts on the problem's concepts, summed
    over them; w_total_correct / w_total_wrong: log(1 + count) over the whole course; w_total_recent_correct /
    w_total_recent_wrong: recency-weighted counts over the whole course.
    """

    intercept: float = 0.0
    w_recent_correct: float = 0.0
    w_recent_wrong: float = 0.0
    w_total_correct: float = 0.0
    w_total_wrong: float = 0.0
    w_total_recent_correct: float = 0.0
    w_total_recent_wrong: float = 0.0


@dataclass(frozen=True)
class ModelParams:
    """Everything ``predict_correct`` / ``apply_attempt`` need.

    concepts: concept id -> ConceptParams; default_concept: used for concepts absent from ``concepts``.
    items: problem id -> ItemParams; problems absent use the author's difficulty (cold start).
    weights: GlobalWeights. recent_decay / total_recent_decay: per-attempt weight decay in (0, 1) of the recent
    counts per concept / per course. item_penalty: prior precision of item difficulties (pseudo-attempts;
    shrinkage strength toward the author's difficulty, also the Elo step scale). decay: time forgetting.
    fitted_on: data sizes (attempts, students, items, concepts) and fit time.
    """

    concepts: dict = field(default_factory=dict)
    default_concept: ConceptParams = field(default_factory=lambda: ConceptParams(BKTParams()))
    items: dict = field(default_factory=dict)
    weights: GlobalWeights = field(default_factory=GlobalWeights)
    recent_decay: float = 0.5
    total_recent_decay: float = 0.8
    item_penalty: float = 1.0
    decay: DecayParams = field(default_factory=DecayParams)
    fitted_on: dict = field(default_factory=dict)

    def concept(self, concept_id) -> ConceptParams:
        """Parameters of a concept, falling back to ``default_concept``."""
        return self.concepts.get(concept_id, self.default_concept)

    def to_dict(self) -> dict:
        """A JSON-serialisable dict (see ``from_dict``)."""
        return {
            "model": MODEL_NAME,
            "version": FORMAT_VERSION,
            "weights": asdict(self.weights),
            "recent_decay": self.recent_decay,
            "total_recent_decay": self.total_recent_decay,
            "item_penalty": self.item_penalty,
            "decay": asdict(self.decay),
            "default_concept": _concept_to_dict(self.default_concept),
            "concepts": [[cid, _concept_to_dict(cp)] for cid, cp in self.concepts.items()],
            "items": [[iid, ip.difficulty, ip.n_attempts] for iid, ip in self.items.items()],
            "fitted_on": dict(self.fitted_on),
        }

    @classmethod
    def from_dict(cls, data: dict) -> ModelParams:
        """Inverse of ``to_dict``. Raises ValueError on another model or format version."""
        if data.get("model") != MODEL_NAME or data.get("version") != FORMAT_VERSION:
            raise ValueError(f"not {MODEL_NAME} v{FORMAT_VERSION} parameters")
        return cls(
            concepts={_key(cid): _concept_from_dict(cp) for cid, cp in data["concepts"]},
            default_concept=_concept_from_dict(data["default_concept"]),
            items={_key(iid): ItemParams(float(d), int(n)) for iid, d, n in data["items"]},
            weights=GlobalWeights(**data["weights"]),
            recent_decay=float(data["recent_decay"]),
            total_recent_decay=float(data["total_recent_decay"]),
            item_penalty=float(data["item_penalty"]),
            decay=DecayParams(**data["decay"]),
            fitted_on=dict(data.get("fitted_on", {})),
        )


def _key(k):
    return tuple(k) if isinstance(k, list) else k


def _concept_to_dict(cp: ConceptParams) -> dict:
    d = asdict(cp)
    d["bkt"] = asdict(cp.bkt)
    return d


def _concept_from_dict(d: dict) -> ConceptParams:
    d = dict(d)
    d["bkt"] = BKTParams(**d["bkt"])
    return ConceptParams(**d)
