"""Retrieval quality on the real course: the hand-written LLM101n questions (bench/ta_retrieval_questions.yaml) find
the step that answers them in the top 3 (BM25; the full comparison of retrievers is bench/ta_retrieval.py)."""

from __future__ import annotations

import shutil

import yaml

from tutor.assistant.evaluate import load_questions, recall_at_k

from .conftest import EXAMPLE

LLM101N = EXAMPLE.parent / "llm101n"


def test_bm25_recall_at_3_on_llm101n_chapters_1_to_5(transactional_db, tmp_path):
    from courses import api
    from courses.services import import_course_from_path
    from tutor.assistant.index import build

    pkg = tmp_path / "llm101n"
    shutil.copytree(LLM101N, pkg)
    spec = yaml.safe_load((pkg / "course.yaml").read_text())
    spec["modules"] = spec["modules"][:5]
    (pkg / "course.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    import_course_from_path(path=pkg)
    index = build(api.get_course("llm101n"), vectors=False)
    new_student = lambda c: c.kind in ("step", "problem")  # noqa: E731 - no hints or solutions unlocked
    result = recall_at_k(index, load_questions(), method="bm25", k=3, visible=new_student)
    assert result["recall"] >= 0.7, result["misses"]
