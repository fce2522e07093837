"""Offline fitting of the BKT-LR model from an attempt log, and offline (online-equivalent) prediction.

1. BKT per concept by EM (``bkt_em``), guess and slip <= 0.3, forgetting optional.
2. Replay the log to get each attempt's pre-attempt state (``features``), exactly what ``model.apply_attempt``
   would have held.
3. A penalised logistic regression (``logistic``) on: global intercept and count/recency/mastery weights,
   per-concept deviations (bias, count and mastery weights; shrunk toward the global weights), and per-item
   difficulties (shrunk toward the author's difficulty with precision ``item_penalty`` pseudo-attempts: a
   hierarchical IRT-style difficulty, so an item with few attempts stays near its cold-start value).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from tutor.knowledge.attempt_log import AttemptLog
from tutor.knowledge.bkt import BKTParams
from tutor.knowledge.bkt_em import BKTArrays, fit_bkt_sequences
from tutor.knowledge.features import LogFeatures, compute_log_features, row_shifts
from tutor.knowledge.logistic import fit_logistic, sigmoid
from tutor.knowledge.model import author_difficulty_logit
from tutor.knowledge.params import ConceptParams, GlobalWeights, ItemParams, ModelParams
from tutor.knowledge.state import DecayParams

N_DENSE = 10  # intercept, 4 concept-count sums, mean mastery logit, 4 course totals


@dataclass(frozen=True)
class FitConfig:
    """Fitting options.

    forgetting: also fit BKT's per-opportunity P(F) (Khajah et al. 2016). item_penalty / concept_penalty /
    global_penalty: L2 precisions (pseudo-attempts) of item difficulties, per-concept deviations and global
    weights. recent_decay / total_recent_decay: per-attempt decay of the recency-weighted counts.
    em_max_iter: EM iterations. decay: time forgetting used online (not fitted).
    """

    forgetting: bool = False
    item_penalty: float = 1.0
    concept_penalty: float = 5.0
    global_penalty: float = 1.0
    recent_decay: float = 0.5
    total_recent_decay: float = 0.8
    em_max_iter: int = 60
    decay: DecayParams = field(default_factory=DecayParams)


def _with_default(bkt: BKTArrays, default: BKTParams) -> BKTArrays:
    """Append the default concept's parameters as the last entry."""
    return BKTArrays(*(np.append(getattr(bkt, n), getattr(default, n)) for n in ("prior", "learn", "guess", "slip", "forget")))


def _design(feat: LogFeatures, n_concepts: int, item_idx: np.ndarray, n_items: int) -> sp.csr_matrix:
    """Sparse design matrix: N_DENSE dense columns, 4 blocks of n_concepts, then -onehot(item)."""
    n = len(item_idx)
    r, k = feat.row, feat.concept
    inv_n = 1.0 / feat.n_concepts[r]

    def per_row(v):
        return np.bincount(r, weights=v, minlength=n)

    dense = np.column_stack(
        [
            np.ones(n),
            per_row(feat.log_correct),
            per_row(feat.log_wrong),
            per_row(feat.recent_correct),
            per_row(feat.recent_wrong),
            per_row(feat.mastery_logit * inv_n),
            feat.log_total_correct,
            feat.log_total_wrong,
            feat.total_recent_correct,
            feat.total_recent_wrong,
        ]
    )

    def block(v):
        return sp.csr_matrix((v, (r, k)), shape=(n, n_concepts))

    return sp.hstack(
        [
            sp.csr_matrix(dense),
            block(np.ones(len(r))),
            block(feat.log_correct),
            block(feat.log_wrong),
            block(feat.mastery_logit * inv_n),
            sp.csr_matrix((-np.ones(n), (np.arange(n), item_idx)), shape=(n, n_items)),
        ]
    ).tocsr()


def fit(log: AttemptLog, *, author_difficulty: Mapping | None = None, config: FitConfig = FitConfig()) -> ModelParams:
    """Fit ModelParams on a log (rows in time order per student).

    author_difficulty: optional problem id -> difficulty in [0, 1], the cold-start prior each problem's
    difficulty is shrunk toward. Raises ValueError on an empty log.
    Runs in a few seconds for ASSISTments 2009 (220k attempts) on 2 cores.
    """
    if len(log) == 0:
        raise ValueError("cannot fit on an empty log")
    t0 = time.perf_counter()
    rows, cids = log.concept_rows()
    concept_ids, conc = np.unique(cids, return_inverse=True)
    conc = conc.astype(np.int64)
    k = len(concept_ids)
    _, user = np.unique(log.user, return_inverse=True)
    y_pair = log.correct[rows].astype(np.float64)
    row_shift = row_shifts(log, author_difficulty)
    bkt_arr, _ = fit_bkt_sequences(
        user[rows].astype(np.int64) * k + conc,
        conc,
        y_pair,
        k,
        forgetting=config.forgetting,
        max_iter=config.em_max_iter,
        shift=None if row_shift is None else row_shift[rows],
    )
    pair_counts = np.bincount(conc, minlength=k)
    default_bkt = BKTParams(*(float(np.median(getattr(bkt_arr, n))) for n in ("prior", "learn", "guess", "slip", "forget")))
    concept_index = {cid: i for i, cid in enumerate(concept_ids.tolist())}
    feat = compute_log_features(
        log,
        concept_index,
        _with_default(bkt_arr, default_bkt),
        recent_decay=config.recent_decay,
        total_recent_decay=config.total_recent_decay,
        decay=config.decay,
        author_difficulty=author_difficulty,
    )

    item_ids, item_idx = np.unique(log.item, return_inverse=True)
    n_items = len(item_ids)
    prior = np.array([author_difficulty_logit((author_difficulty or {}).get(i)) for i in item_ids.tolist()])
    x = _design(feat, k, item_idx, n_items)
    penalty = np.concatenate(
        [
            [0.0],
            np.full(N_DENSE - 1, config.global_penalty),
            np.full(4 * k, config.concept_penalty),
            np.full(n_items, config.item_penalty),
        ]
    )
    w = fit_logistic(x, log.correct, penalty, offset=-prior[item_idx])

    g = w[:N_DENSE]
    cb, cc, cf, cm = (w[N_DENSE + j * k : N_DENSE + (j + 1) * k] for j in range(4))
    dev = w[N_DENSE + 4 * k :]
    concepts = {
        cid: ConceptParams(
            bkt=bkt_arr.params(i),
            bias=float(cb[i]),
            w_correct=float(g[1] + cc[i]),
            w_wrong=float(g[2] + cf[i]),
            w_mastery=float(g[5] + cm[i]),
            n_attempts=int(pair_counts[i]),
        )
        for i, cid in enumerate(concept_ids.tolist())
    }
    item_counts = np.bincount(item_idx, minlength=n_items)
    items = {iid: ItemParams(float(prior[j] + dev[j]), int(item_counts[j])) for j, iid in enumerate(item_ids.tolist())}
    weights = GlobalWeights(
        intercept=float(g[0]),
        w_recent_correct=float(g[3]),
        w_recent_wrong=float(g[4]),
        w_total_correct=float(g[6]),
        w_total_wrong=float(g[7]),
        w_total_recent_correct=float(g[8]),
        w_total_recent_wrong=float(g[9]),
    )
    return ModelParams(
        concepts=concepts,
        default_concept=ConceptParams(default_bkt, 0.0, float(g[1]), float(g[2]), float(g[5]), 0),
        items=items,
        weights=weights,
        recent_decay=config.recent_decay,
        total_recent_decay=config.total_recent_decay,
        item_penalty=config.item_penalty,
        decay=config.decay,
        fitted_on={
            "attempts": int(len(log)),
            "students": int(user.max() + 1),
            "items": int(n_items),
            "concepts": int(k),
            "seconds": round(time.perf_counter() - t0, 3),
        },
    )


def predict_log(params: ModelParams, log: AttemptLog, *, author_difficulty: Mapping | None = None) -> np.ndarray:
    """P(correct) for every row of ``log``, each from the same student's earlier rows only (no peeking):
    the vectorised equivalent of calling ``predict_correct`` then ``apply_attempt`` row by row.
    Returns (N,) float64 in (0, 1)."""
    concept_ids = list(params.concepts)
    concept_index = {cid: i for i, cid in enumerate(concept_ids)}
    cps = [params.concepts[c] for c in concept_ids] + [params.default_concept]
    bkt = BKTArrays(
        *(np.array([getattr(cp.bkt, n) for cp in cps], dtype=np.float64) for n in ("prior", "learn", "guess", "slip", "forget"))
    )
    feat = compute_log_features(
        log,
        concept_index,
        bkt,
        recent_decay=params.recent_decay,
        total_recent_decay=params.total_recent_decay,
        decay=params.decay,
        author_difficulty=author_difficulty,
    )
    bias, wc, wf, wm = (np.array([getattr(cp, a) for cp in cps]) for a in ("bias", "w_correct", "w_wrong", "w_mastery"))
    w = params.weights
    n = len(log)
    k, r = feat.concept, feat.row
    pair = (
        bias[k]
        + wc[k] * feat.log_correct
        + wf[k] * feat.log_wrong
        + w.w_recent_correct * feat.recent_correct
        + w.w_recent_wrong * feat.recent_wrong
        + wm[k] * feat.mastery_logit / feat.n_concepts[r]
    )
    ad = author_difficulty or {}
    difficulty = np.array(
        [params.items[i].difficulty if i in params.items else author_difficulty_logit(ad.get(i)) for i in log.item.tolist()]
    )
    z = (
        w.intercept
        - difficulty
        + np.bincount(r, weights=pair, minlength=n)
        + w.w_total_correct * feat.log_total_correct
        + w.w_total_wrong * feat.log_total_wrong
        + w.w_total_recent_correct * feat.total_recent_correct
        + w.w_total_recent_wrong * feat.total_recent_wrong
    )
    return sigmoid(z)
