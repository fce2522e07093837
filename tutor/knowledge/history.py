"""Vectorised "what happened before this row" aggregates over a time-ordered log (no look-ahead)."""

from __future__ import annotations

import numpy as np


def prior_sum_by_key(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each row, the sum of ``values`` over *earlier* rows with the same key (0 for a key's first row).

    keys: (N,) any sortable dtype; values: (N,) numbers; rows are in time order within each key.
    Returns (N,) float64.
    """
    keys = np.asarray(keys)
    v = np.asarray(values, dtype=np.float64)
    if len(v) == 0:
        return np.zeros(0)
    order = np.argsort(keys, kind="stable")
    ks = keys[order]
    vs = v[order]
    excl = np.cumsum(vs) - vs
    new_group = np.empty(len(ks), dtype=bool)
    new_group[0] = True
    new_group[1:] = ks[1:] != ks[:-1]
    start_idx = np.maximum.accumulate(np.where(new_group, np.arange(len(ks)), 0))
    excl = excl - excl[start_idx]
    out = np.empty_like(excl)
    out[order] = excl
    return out
