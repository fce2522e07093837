"""Benchmark: grading latency of a code submission in the sandbox (bubblewrap), per submission, end to end.

Three workloads, each timed as a whole `sandbox.run` (start the sandbox, import the allowed packages, fork the job,
run its tests, collect the JSON result) except the baseline:

- ``bare``: `python -I -S -c pass` in the same sandbox (same mounts, namespaces, uid) — the floor any run pays;
- ``trivial``: a one-function solution and one passing test (standard library only);
- ``torch``: a solution that imports torch and runs one tiny tensor test (`imports: [torch]`).

``trivial`` and ``torch`` go through ``sandbox.run`` (the warm sandbox: packages imported once per worker, a fresh
fork per job); ``*_cold`` start a fresh sandbox per submission (``sandbox.run_jobs``, ``ACADEMY_SANDBOX_WARM=0``).
Prints ONE JSON line with p50/p99 in ms of each and their ratios to the bare run measured in the same process.

    nice .venv/bin/python bench/code_grading.py [--runs 30 --torch-runs 30 --cold-torch-runs 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from sandbox import Job, run, run_jobs  # noqa: E402
from sandbox.runner import available, bare_python  # noqa: E402

TRIVIAL = Job(
    files={"solution.py": "def add(a, b):\n    return a + b\n"},
    tests={"test_visible.py": "from solution import add\n\ndef test_add():\n    assert add(2, 3) == 5\n"},
)
TORCH = Job(
    files={"solution.py": "import torch\n\ndef mean_row(x):\n    return x.mean(dim=1)\n"},
    tests={
        "test_visible.py": "import torch\nfrom solution import mean_row\n\ndef test_mean():\n    assert torch.equal(mean_row(torch.ones(2, 3)), torch.ones(2))\n"
    },
    imports=("torch",),
)


def _time(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _stats(ms: list[float]) -> dict:
    return {"p50_ms": round(float(np.percentile(ms, 50)), 1), "p99_ms": round(float(np.percentile(ms, 99)), 1), "n": len(ms)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--torch-runs", type=int, default=30)
    ap.add_argument("--cold-torch-runs", type=int, default=5)
    args = ap.parse_args()
    if not available():
        print(json.dumps({"error": "bubblewrap (bwrap) is not available"}))
        sys.exit(1)

    def trivial():
        assert run(TRIVIAL).passed

    def torch_job():
        assert run(TORCH).passed

    bare_python()  # warm the page cache
    trivial()
    torch_job()
    bare = _stats(_time(lambda: bare_python(), args.runs))
    triv = _stats(_time(trivial, args.runs))
    tor = _stats(_time(torch_job, args.torch_runs))
    triv_cold = _stats(_time(lambda: run_jobs([TRIVIAL]), args.runs))
    tor_cold = _stats(_time(lambda: run_jobs([TORCH]), args.cold_torch_runs))
    print(
        json.dumps(
            {
                "bench": "code_grading",
                "bare_python": bare,
                "trivial": triv,
                "torch": tor,
                "trivial_cold": triv_cold,
                "torch_cold": tor_cold,
                "trivial_p50_ratio_to_bare": round(triv["p50_ms"] / bare["p50_ms"], 2),
                "torch_p50_ratio_to_bare": round(tor["p50_ms"] / bare["p50_ms"], 2),
                "trivial_p99_ratio_to_bare": round(triv["p99_ms"] / bare["p99_ms"], 2),
                "torch_p99_ratio_to_bare": round(tor["p99_ms"] / bare["p99_ms"], 2),
                "trivial_cold_p50_ratio_to_bare": round(triv_cold["p50_ms"] / bare["p50_ms"], 2),
                "torch_cold_p50_ratio_to_bare": round(tor_cold["p50_ms"] / bare["p50_ms"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
