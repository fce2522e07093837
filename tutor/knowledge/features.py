"""Offline, vectorised replay of ``model.apply_attempt`` over a whole log: for every attempt, the state the
online tutor would have held *just before* it (only the same student's earlier rows are used).

The per-(student, concept) quantities are computed on (row, concept) pairs; per-student totals on rows.
``tests/tutor/knowledge`` checks that these equal a row-by-row replay of ``apply_attempt``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tutor.knowledge.attempt_log import AttemptLog
from tutor.knowledge.bkt import difficulty_shift
from tutor.knowledge.bkt_em import BKTArrays, forward, item_guess_slip
from tutor.knowledge.history import prior_sum_by_key
from tutor.knowledge.model import P_MIN
from tutor.knowledge.sequences import pack_sequences
from tutor.knowledge.state import DecayParams


def logit_array(p: np.ndarray) -> np.ndarray:
    """Elementwise log(p / (1 - p)) with p clipped to [1e-6, 1 - 1e-6]."""
    p = np.clip(p, P_MIN, 1.0 - P_MIN)
    return np.log(p / (1.0 - p))


def recent_sum_by_key(keys: np.ndarray, values: np.ndarray, decay: float) -> np.ndarray:
    """For each row, sum over earlier rows with the same key of value * decay^(number of same-key rows
    since), i.e. the recency-weighted count the online state holds before this row. Returns (N,)."""
    ps = pack_sequences(keys, np.zeros(len(keys), dtype=np.int64))
    vp = ps.pack(np.asarray(values, dtype=np.float64))
    out = np.zeros(len(vp))
    for t in range(1, ps.n_steps):
        nb = int(ps.batch[t])
        lo = int(ps.offsets[t - 1])
        out[ps.step(t)] = decay * out[lo : lo + nb] + vp[lo : lo + nb]
    return ps.unpack(out)


@dataclass(frozen=True)
class LogFeatures:
    """Pre-attempt state for every row of a log.

    Pair arrays (M,), one per (row, concept): row, concept (index into the concept list), mastery (P(L) before,
    after time decay), mastery_logit (logit of P_BKT(correct)), log_correct / log_wrong (log1p of counts),
    recent_correct / recent_wrong. Row arrays (N,): n_concepts, log_total_correct, log_total_wrong,
    total_recent_correct, total_recent_wrong.
    """

    row: np.ndarray
    concept: np.ndarray
    mastery: np.ndarray
    mastery_logit: np.ndarray
    log_correct: np.ndarray
    log_wrong: np.ndarray
    recent_correct: np.ndarray
    recent_wrong: np.ndarray
    n_concepts: np.ndarray
    log_total_correct: np.ndarray
    log_total_wrong: np.ndarray
    total_recent_correct: np.ndarray
    total_recent_wrong: np.ndarray


def _retain_factors(log: AttemptLog, rows, key, n_correct_before, decay: DecayParams) -> np.ndarray | None:
    """Per pair, 2^(-days since the previous attempt on the concept / half-life), or None without times."""
    if log.timestamp is None:
        return None
    ts = log.timestamp[rows].astype(np.float64)
    order = np.argsort(key, kind="stable")
    ks, tss = key[order], ts[order]
    elapsed_sorted = np.zeros(len(ks))
    same = ks[1:] == ks[:-1]
    elapsed_sorted[1:] = np.where(same, np.maximum(tss[1:] - tss[:-1], 0.0), 0.0)
    elapsed = np.empty_like(elapsed_sorted)
    elapsed[order] = elapsed_sorted
    half_life = np.minimum(decay.half_life_days * 2.0 ** (decay.growth * n_correct_before), decay.max_half_life_days)
    return 2.0 ** (-(elapsed / 86400.0) / half_life)


def row_shifts(log: AttemptLog, author_difficulty) -> np.ndarray | None:
    """(N,) ``bkt.difficulty_shift`` of each row's problem from an item -> author difficulty mapping (None: none)."""
    if not author_difficulty:
        return None
    shift = np.array([difficulty_shift(author_difficulty.get(i)) for i in log.item.tolist()], dtype=np.float64)
    return shift if shift.any() else None


def compute_log_features(
    log: AttemptLog,
    concept_index: dict,
    bkt: BKTArrays,
    *,
    recent_decay: float,
    total_recent_decay: float,
    decay: DecayParams,
    author_difficulty=None,
) -> LogFeatures:
    """Replay the online state over ``log``.

    concept_index: concept id -> index into ``bkt`` arrays; ``bkt`` has one extra last entry for unknown
    concepts (the default concept). Time decay of mastery is applied when the log has timestamps.
    author_difficulty: item -> author difficulty in [0, 1] (per-problem guess/slip, ``bkt.item_params``).
    """
    n_known = len(concept_index)
    rows, cids = log.concept_rows()
    # Parameters come from the concept's slot (unknown concepts share the default slot), but every concept
    # id keeps its own state sequence.
    conc = np.fromiter((concept_index.get(c, n_known) for c in cids.tolist()), dtype=np.int64, count=len(cids))
    _, state_idx = np.unique(cids, return_inverse=True)
    _, user = np.unique(log.user, return_inverse=True)
    user = user.astype(np.int64)
    y_row = log.correct.astype(np.float64)
    y = y_row[rows]
    key = user[rows] * (int(state_idx.max()) + 1 if len(state_idx) else 1) + state_idx.astype(np.int64)
    c = prior_sum_by_key(key, y)
    f = prior_sum_by_key(key, 1.0 - y)
    ps = pack_sequences(key, conc)
    retain = _retain_factors(log, rows, key, c, decay)
    hold = None if log.solution_seen is None else ps.pack(np.asarray(log.solution_seen, dtype=bool)[rows])
    row_shift = row_shifts(log, author_difficulty)
    shift = None if row_shift is None else row_shift[rows]
    pb, _, _ = forward(
        ps, ps.pack(y), bkt, None if retain is None else ps.pack(retain), hold, None if shift is None else ps.pack(shift)
    )
    mastery = ps.unpack(pb)
    g, sl = item_guess_slip(bkt.guess[conc], bkt.slip[conc], shift)
    pc = mastery * (1.0 - sl) + (1.0 - mastery) * g
    n = len(log)
    return LogFeatures(
        row=rows,
        concept=conc,
        mastery=mastery,
        mastery_logit=logit_array(pc),
        log_correct=np.log1p(c),
        log_wrong=np.log1p(f),
        recent_correct=recent_sum_by_key(key, y, recent_decay),
        recent_wrong=recent_sum_by_key(key, 1.0 - y, recent_decay),
        n_concepts=np.bincount(rows, minlength=n).astype(np.float64),
        log_total_correct=np.log1p(prior_sum_by_key(user, y_row)),
        log_total_wrong=np.log1p(prior_sum_by_key(user, 1.0 - y_row)),
        total_recent_correct=recent_sum_by_key(user, y_row, total_recent_decay),
        total_recent_wrong=recent_sum_by_key(user, 1.0 - y_row, total_recent_decay),
    )
