"""Evaluate the BKT-LR knowledge-tracing model on a train/test split of attempt logs.

    python -m tutor.knowledge.evaluate --train TRAIN.tsv --test TEST.tsv [--q-matrix Q.npz]

Fits on the train users, then predicts every test response from that test user's earlier rows only (online,
no peeking; item and concept parameters stay frozen at their trained values) and prints one JSON line.
The predictions are those of the serving code path: ``predict_log`` is the vectorised replay of
``model.apply_attempt`` / ``model.predict_correct``, which the app calls on every attempt
(``tests/tutor/practice/test_serving_equals_evaluation.py`` checks the two agree to 1e-9 through ``submit_attempt``).
Output:
model, auc, rmse, log_loss, fit_seconds, predict_seconds, n_train, n_test. Files are the tab-separated
Gervet et al. (2020) format ``user_id item_id timestamp correct skill_id``. Concepts are the Q-matrix skills
(an item may have several) when ``--q-matrix`` is given or ``assist09_gervet_q_mat.npz`` sits next to the
train file; otherwise the ``skill_id`` column.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from tutor.knowledge.attempt_log import load_gervet_tsv
from tutor.knowledge.fit import FitConfig, fit, predict_log
from tutor.knowledge.params import MODEL_NAME


def metrics(y: np.ndarray, p: np.ndarray) -> dict:
    """AUC, RMSE and mean log-loss (nats) of predictions p for labels y in {0, 1}."""
    from sklearn.metrics import roc_auc_score

    pc = np.clip(p, 1e-7, 1 - 1e-7)
    return {
        "auc": round(float(roc_auc_score(y, p)), 4),
        "rmse": round(float(np.sqrt(np.mean((p - y) ** 2))), 4),
        "log_loss": round(float(-np.mean(y * np.log(pc) + (1 - y) * np.log(1 - pc))), 4),
    }


def default_q_matrix(train: Path) -> Path | None:
    """The Gervet split's Q-matrix next to the train file, if present."""
    q = train.with_name("assist09_gervet_q_mat.npz")
    return q if train.name.startswith("assist09_gervet") and q.exists() else None


def run(train: Path, test: Path, q_matrix: Path | None, config: FitConfig = FitConfig()) -> dict:
    """Fit on ``train``, evaluate online on ``test``; returns the result dict."""
    tr = load_gervet_tsv(train, q_matrix)
    te = load_gervet_tsv(test, q_matrix)
    t0 = time.perf_counter()
    params = fit(tr, config=config)
    fit_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    p = predict_log(params, te)
    pred_s = time.perf_counter() - t1
    out = {
        "model": MODEL_NAME,
        **metrics(te.correct.astype(np.float64), p),
        "fit_seconds": round(fit_s, 2),
        "predict_seconds": round(pred_s, 2),
        "n_train": len(tr),
        "n_test": len(te),
        "concepts": "q-matrix skills" if q_matrix else "skill_id",
    }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True, type=Path)
    ap.add_argument("--test", required=True, type=Path)
    ap.add_argument("--q-matrix", type=Path, default=None, help="items x skills .npz (default: beside --train)")
    ap.add_argument("--no-q-matrix", action="store_true", help="use the skill_id column as the only concept")
    ap.add_argument("--forgetting", action="store_true", help="fit BKT's per-opportunity forgetting P(F)")
    args = ap.parse_args(argv)
    q = None if args.no_q_matrix else (args.q_matrix or default_q_matrix(args.train))
    result = run(args.train, args.test, q, FitConfig(forgetting=args.forgetting))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
