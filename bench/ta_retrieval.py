"""Retrieval quality of the automated TA: recall@3 of each retriever on hand-written LLM101n questions.

    .venv/bin/python bench/ta_retrieval.py [--package courses/packages/llm101n] [--k 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/ta_retrieval.py   # + postgres FTS

Imports the course package into a fresh test database (the modules whose module.yaml exists; a package that does not
validate falls back to chapters 1-5), builds the TA index a new student sees (step sections and problem prompts; no
hints or solutions), and asks the questions of bench/ta_retrieval_questions.yaml. A question counts as found when
one of the top-k chunks comes from a step it is labelled with. Retrievers: bm25, embedding (all-MiniLM-L6-v2),
hybrid (reciprocal rank fusion of the two) and, on PostgreSQL, postgres (ts_rank_cd). Sentence vectors are cached
in var/ta_bench_vectors.npz between runs. Prints ONE JSON line on stdout (progress on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import yaml  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

CACHE = ROOT / "var" / "ta_bench_vectors.npz"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def import_package(package: Path):
    from courses import api
    from courses.services import import_course_from_path

    tmp = Path(tempfile.mkdtemp()) / "pkg"
    shutil.copytree(package, tmp)
    spec = yaml.safe_load((tmp / "course.yaml").read_text())
    present = [m for m in spec["modules"] if (tmp / "modules" / m / "module.yaml").exists()]
    for modules in (present, present[:5]):
        spec["modules"] = modules
        (tmp / "course.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
        try:
            import_course_from_path(path=tmp)
            return api.get_course(spec["slug"]), modules
        except Exception as exc:  # a package being written may not validate yet
            log(f"import of {len(modules)} modules failed: {str(exc)[:300]}")
    raise SystemExit("the course package does not import")


def cached_vectors(texts: list[str]) -> np.ndarray:
    from tutor.assistant import embeddings

    cache = dict(np.load(CACHE)) if CACHE.exists() else {}
    keys = [embeddings.sha(t) for t in texts]
    missing = [(k, t) for k, t in dict(zip(keys, texts)).items() if k not in cache]
    if missing:
        log(f"embedding {len(missing)} chunks...")
        for (k, _), v in zip(missing, embeddings.encode([t for _, t in missing])):
            cache[k] = v
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        np.savez(CACHE, **cache)
    return np.stack([cache[k] for k in keys])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--package", default=str(ROOT / "courses" / "packages" / "llm101n"))
    ap.add_argument("--k", type=int, default=3)
    args = ap.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from tutor.assistant import embeddings, lexical, pgsearch
        from tutor.assistant.chunks import course_chunks
        from tutor.assistant.evaluate import load_questions, recall_at_k
        from tutor.assistant.index import CourseIndex

        course, modules = import_package(Path(args.package))
        t = time.perf_counter()
        chunks = [c for c in course_chunks(course) if c.kind in ("step", "problem")]  # what a new student may see
        bm = lexical.BM25([c.text for c in chunks])
        build_s = time.perf_counter() - t
        vecs = cached_vectors([c.text for c in chunks]) if embeddings.available() else None
        index = CourseIndex(course, chunks, bm, vecs)
        questions = load_questions()
        methods = (
            ["bm25"] + (["embedding", "hybrid"] if vecs is not None else []) + (["postgres"] if pgsearch.available() else [])
        )
        results = {m: recall_at_k(index, questions, method=m, k=args.k) for m in methods}
        for m, r in results.items():
            log(f"{m}: recall@{args.k}={r['recall']} mrr={r['mrr']}")
            for miss in r["misses"]:
                log("   miss", miss)
        print(
            json.dumps(
                {
                    "bench": "ta_retrieval",
                    "k": args.k,
                    "questions": len(questions),
                    "modules": len(modules),
                    "chunks": len(chunks),
                    "database": connection.vendor,
                    "bm25_build_s": round(build_s, 2),
                    **{f"recall@{args.k}_{m}": r["recall"] for m, r in results.items()},
                    **{f"mrr@{args.k}_{m}": r["mrr"] for m, r in results.items()},
                    **{f"query_ms_{m}": r["median_query_ms"] for m, r in results.items()},
                }
            )
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
