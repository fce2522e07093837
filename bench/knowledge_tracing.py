"""Knowledge-tracing benchmark: our BKT-LR model and pyBKT (standard BKT, one model per skill) on the same split.

    .venv/bin/python bench/knowledge_tracing.py [--data-dir ../shared/data] [--pybkt-fits 1] [--skip-pybkt]

Data: ASSISTments 2009-10 skill-builder, the user split of Gervet et al. (2020) ("When is deep learning the best
approach to knowledge tracing?", JEDM), read from ``../shared/data`` beside the repository (never copied into it).
Both models are fitted on the train users and predict every test response from the same user's earlier
responses only. pyBKT (Badrinath, Wang & Pardos 2021) needs numpy<2 and scikit-learn<1.6, so it runs in its own
virtualenv ``.bench-venv/pybkt`` (git-ignored), created and filled with pip on first use; its skill is the
split's ``skill_id`` (a skill-set id), the usual one-BKT-per-KC baseline on this split. Its predictions come
back through a temporary .npy file and both models are scored by the same metric code.
Prints one JSON line: both models' auc / rmse / log_loss / fit seconds, and the AUCs published on this split.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.knowledge.attempt_log import load_gervet_tsv  # noqa: E402
from tutor.knowledge.evaluate import metrics, run  # noqa: E402

TRAIN = "assist09_gervet_preprocessed_data_train.csv"
TEST = "assist09_gervet_preprocessed_data_test.csv"
Q_MATRIX = "assist09_gervet_q_mat.npz"
PUBLISHED_AUC = {"IRT": 0.69, "PFA": 0.72, "DKT": 0.75, "SAKT": 0.75, "Best-LR": 0.77}
PUBLISHED_SOURCE = "Gervet et al. 2020, github.com/theophilegervet/learner-performance-prediction README"
PYBKT_VENV = ROOT / ".bench-venv" / "pybkt"
PYBKT_REQUIREMENTS = ["pyBKT", "numpy<2", "scikit-learn<1.6"]

PYBKT_WORKER = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
from pyBKT.models import Model
train, test, out, fits = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def load(path):
    df = pd.read_csv(path, sep="\t")
    df["order_id"] = np.arange(len(df))          # file order = time order within each user
    df["row"] = np.arange(len(df))
    df["skill_name"] = df["skill_id"].astype(str)
    return df

tr, te = load(train), load(test)
t0 = time.perf_counter()
model = Model(seed=42, num_fits=fits)
model.fit(data=tr)
fit_s = time.perf_counter() - t0
t1 = time.perf_counter()
pred = model.predict(data=te).sort_values("row")
pred_s = time.perf_counter() - t1
p = pred["correct_predictions"].to_numpy(dtype=float)
n_nan = int(np.isnan(p).sum())
np.save(out, np.where(np.isnan(p), 0.5, p))
from importlib.metadata import version
print(json.dumps({"fit_seconds": round(fit_s, 2), "predict_seconds": round(pred_s, 2), "nan_predictions": n_nan,
                  "num_fits": fits, "version": version("pyBKT")}))
"""


def ensure_pybkt_venv() -> Path:
    """Create ``.bench-venv/pybkt`` with pyBKT and its pins if missing; returns its python."""
    py = PYBKT_VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PYBKT_VENV)], check=True)
    probe = subprocess.run([str(py), "-c", "import pyBKT, numpy, sklearn, pandas"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(py), "-m", "pip", "install", "-q", *PYBKT_REQUIREMENTS], check=True, stdout=subprocess.DEVNULL)
    return py


def run_pybkt(data: Path, fits: int) -> dict:
    """Fit and predict with pyBKT in its virtualenv; returns metrics and timings."""
    py = ensure_pybkt_venv()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pred.npy"
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        t0 = time.perf_counter()
        proc = subprocess.run(
            [str(py), "-c", PYBKT_WORKER, str(data / TRAIN), str(data / TEST), str(out), str(fits)],
            capture_output=True,
            text=True,
            env=env,
        )
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"pyBKT failed:\n{proc.stderr[-4000:]}")
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        p = np.load(out)
    y = load_gervet_tsv(data / TEST).correct.astype(np.float64)
    return {"model": "pyBKT (BKT per skill_id)", **metrics(y, p), **info, "wall_seconds": round(wall, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--pybkt-fits", type=int, default=1, help="pyBKT random restarts per skill (its default is 5)")
    ap.add_argument("--skip-pybkt", action="store_true")
    args = ap.parse_args(argv)
    data = args.data_dir
    ours = run(data / TRAIN, data / TEST, data / Q_MATRIX)
    result = {
        "benchmark": "knowledge_tracing",
        "split": "ASSISTments 2009 skill-builder, Gervet et al. 2020 user split",
        "ours": ours,
        "published_auc": PUBLISHED_AUC,
        "published_source": PUBLISHED_SOURCE,
        "cpu_count": os.cpu_count(),
    }
    if not args.skip_pybkt:
        result["pybkt"] = run_pybkt(data, args.pybkt_fits)
        result["ours_beats_pybkt"] = ours["auc"] > result["pybkt"]["auc"]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
