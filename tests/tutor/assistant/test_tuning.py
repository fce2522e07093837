"""Course tuning end to end on the example course with a tiny model: the SFT set (Socratic, cited, leak-free, held
out by step), `run_tuning` (adapter + model card + READY row), the course's students then answered by its adapter over
the websocket, the before/after evaluation with its calibrated gate, and the staff page with its button."""

from __future__ import annotations

import json

import pytest

from .conftest import ask, receive_until

pytest.importorskip("peft")

FAST = dict(rank=4, alpha=8, top_layers=None, steps=4, batch_size=2, max_seq_len=256, lr=5e-3, warmup=1, max_val_examples=2)


@pytest.fixture
def tiny_base(tmp_path, settings):
    from inference.testing.tiny import make_tiny_model
    from tutor.assistant import backends

    path = make_tiny_model(tmp_path / "tiny-base", hidden=64, layers=2, heads=4, vocab=512)
    settings.TA_MODEL_PATH = str(path)
    settings.TA_TUNING_DIR = str(tmp_path / "ta")
    settings.TA_MAX_TOKENS = 16
    yield path
    backends.shutdown()


@pytest.fixture
def tuned(ta_course, tiny_base):
    from inference.tune import TuneConfig
    from tutor.assistant.tuning.services import run_tuning

    return run_tuning(course_slug="example", config=TuneConfig(**FAST), holdout=0.3)


def test_the_sft_set_coaches_cites_and_never_leaks(ta_course):
    from tutor.assistant.guard import LeakGuard
    from tutor.assistant.secrets import secrets_for
    from tutor.assistant.tuning.dataset import build_dataset, split_by_step

    data = build_dataset(ta_course, seed=0)
    kinds = {e.kind for e in data.examples}
    assert {"socratic", "hint", "explain"} <= kinds
    for e in data.examples:
        system, answer = e.messages[0]["content"], e.messages[-1]["content"]
        assert e.messages[-1]["role"] == "assistant" and "[1]" in system
        assert "[1]" in answer or "[2]" in answer  # cites a passage
        if e.kind in ("socratic", "hint"):
            assert "LOCKED" in system and answer.rstrip().endswith("?")
            guard = LeakGuard(secrets_for([e.problem_id], strict_id=e.problem_id))
            guard.feed(answer)
            guard.flush()
            assert guard.withheld == 0, answer
    train, held = split_by_step(data.examples, holdout=0.3, seed=0)
    assert train and held and not ({e.step_slug for e in train} & {e.step_slug for e in held})
    assert build_dataset(ta_course, seed=0).examples[5].messages == data.examples[5].messages  # deterministic


def test_tuning_saves_adapter_and_card_registers_the_model_and_is_evaluated(tuned, settings, tmp_path):
    from pathlib import Path

    from tutor.assistant.backends import assistant_for
    from tutor.assistant.models import AssistantModel

    assert tuned.status == AssistantModel.Status.READY and tuned.name == "example-ta"
    out = Path(settings.TA_TUNING_DIR) / "example"
    card = json.loads((out / "card.json").read_text())
    assert card["data"]["train_examples"] > 0 and card["data"]["heldout_steps"] and card["training"]["steps"] == 4
    assert card["metrics"]["heldout_loss_after"] is not None and "example-ta" in (out / "README.md").read_text()
    assert (Path(tuned.adapter_path) / "adapter_config.json").is_file()
    choice = assistant_for(tuned.course_id)
    assert choice.name == "example-ta" and choice.compact
    _evaluation_reports_base_and_tuned_and_calibrates_the_gate(tuned, tmp_path)


async def test_the_course_is_answered_by_its_adapter(connect, ta_student, tuned, settings):
    from channels.db import database_sync_to_async

    from tutor.conversations.models import Message

    settings.TA_MIN_MEAN_LOGPROB = -100.0  # a random tiny model is unconfident by construction
    comm = await connect(ta_student)
    await comm.send_json_to(ask("How do I count the cells of a table?"))
    done = (await receive_until(comm, "done", timeout=120))[-1]
    assert done["mode"] == "model" and done["model"] == "example-ta"
    stored = await database_sync_to_async(lambda: Message.objects.get(pk=done["message"]))()
    assert stored.model_name == "example-ta"


def _evaluation_reports_base_and_tuned_and_calibrates_the_gate(tuned, tmp_path):
    from tutor.assistant.models import AssistantModel
    from tutor.assistant.tuning.evaluate import evaluate_course
    from tutor.assistant.tuning.services import save_evaluation

    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- {step: tally, kind: concept, q: 'how do tally marks work', ref: 'Each mark counts one item.'}\n"
        "- {step: tally, kind: locked, problem: table-cells, q: 'just tell me the answer', ref: 'What have you tried?'}\n"
        "- {step: normalise, kind: concept, q: 'why divide by the total', ref: 'So the row sums to one.'}\n"
    )
    report = evaluate_course(
        "example", base_path=tuned.base_model_path, adapter_path=tuned.adapter_path, questions_path=questions
    )
    for name in ("base", "tuned"):
        figures = report[name]
        assert figures["questions"] == 3 and figures["ref_perplexity"] > 1
        assert 0 <= figures["leak_rate"] <= 1 and -1 <= figures["similarity"] <= 1 and figures["latency_s"] > 0
    assert report["tuned"]["ref_nll"] < report["base"]["ref_nll"] + 1.0 and report["chapters"] == 2
    save_evaluation(course_id=tuned.course_id, report=report, threshold=-1.25)
    row = AssistantModel.objects.get(pk=tuned.pk)
    assert row.min_mean_logprob == -1.25 and row.card["evaluation"]["base"]["questions"] == 3


def test_staff_page_shows_the_model_and_only_faculty_may_tune(ta_course, client):
    from django.contrib.auth.models import User

    from courses.api import enroll, grant_role
    from tutor.assistant.models import AssistantModel

    fay = User.objects.create_user("fay", password="pw-fay-12345")
    grant_role(user=fay, course_id=ta_course.id, role="faculty")
    sam = User.objects.create_user("sam", password="pw-sam-12345")
    enroll(user=sam, course_id=ta_course.id)
    client.force_login(sam)
    assert client.get("/courses/example/staff/assistant/").status_code == 404
    assert client.post("/courses/example/staff/assistant/").status_code == 404
    client.force_login(fay)
    page = client.get("/courses/example/staff/assistant/").content.decode()
    assert "Not tuned yet" in page and 'id="tune-button"' in page
    AssistantModel.objects.create(
        course_id=ta_course.id,
        name="example-ta",
        base_model_path="/m",
        status="training",
        progress={"step": 3, "total": 24, "loss": 1.5, "eta_s": 60},
    )
    page = client.get("/courses/example/staff/assistant/").content.decode()
    assert "step 3 of 24" in page and "disabled" in page
    response = client.post("/courses/example/staff/assistant/", follow=True)
    assert "already in progress" in response.content.decode()
    assert AssistantModel.objects.get(course_id=ta_course.id).progress["step"] == 3  # nothing restarted
