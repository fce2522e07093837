"""LoRA tuning (`inference.tune`) on a tiny model: the loss covers only the answer, training lowers the held-out loss,
the same seed gives the same adapter, and an interrupted run resumes to the same result as an uninterrupted one."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from inference.errors import InvalidRequestError  # noqa: E402
from inference.tune import Progress, TuneConfig, encode_example, tune_lora  # noqa: E402


def _conv(q: str, a: str) -> list[dict]:
    return [
        {"role": "system", "content": "You are a tutor."},
        {"role": "user", "content": q},
        {"role": "assistant", "content": a},
    ]


TRAIN = [
    _conv(f"What is {w}?", f"Think about {w} first. What have you tried? [1]")
    for w in ("attention", "softmax", "a token", "the loss", "a gradient", "sampling")
]
VAL = [_conv("What is a batch?", "Think about a batch first. What have you tried? [1]")]
FAST = TuneConfig(
    rank=4, alpha=8, top_layers=None, steps=8, batch_size=2, max_seq_len=96, lr=5e-3, warmup=1, save_every=2, max_val_examples=4
)


def _weights(adapter_dir):
    from safetensors.torch import load_file

    return load_file(adapter_dir / "adapter_model.safetensors")


def test_only_the_answer_is_learned(tiny_model):
    _, tok = tiny_model
    ids, labels = encode_example(tok, TRAIN[0], 256)
    answer = [t for t in labels if t != -100]
    assert len(ids) == len(labels) and 0 < len(answer) < len(ids)
    assert tok.decode(answer, skip_special_tokens=True).strip() == TRAIN[0][-1]["content"]
    with pytest.raises(InvalidRequestError):
        encode_example(tok, TRAIN[0][:-1], 256)


def test_tuning_lowers_the_heldout_loss_and_is_reproducible(tiny_model_dir, tmp_path):
    seen: list[Progress] = []
    first = tune_lora(tiny_model_dir, TRAIN, VAL, tmp_path / "one", FAST, progress=seen.append)
    assert first.steps == 8 and [p.step for p in seen] == list(range(1, 9)) and seen[-1].eta_s == 0
    assert first.val_loss_after < first.val_loss_before
    assert (first.adapter_dir / "adapter_config.json").is_file() and not (tmp_path / "one" / "checkpoint").exists()
    again = tune_lora(tiny_model_dir, TRAIN, VAL, tmp_path / "two", FAST)
    a, b = _weights(first.adapter_dir), _weights(again.adapter_dir)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_an_interrupted_run_resumes_where_it_stopped(tiny_model_dir, tmp_path):
    from dataclasses import replace

    whole = tune_lora(tiny_model_dir, TRAIN, VAL, tmp_path / "whole", FAST)
    cut = tune_lora(tiny_model_dir, TRAIN, VAL, tmp_path / "cut", replace(FAST, max_minutes=0.0))  # stops after step 1
    assert cut.stopped_early and cut.steps == 1 and (tmp_path / "cut" / "checkpoint" / "state.json").is_file()
    resumed = tune_lora(tiny_model_dir, TRAIN, VAL, tmp_path / "cut", FAST)
    assert resumed.resumed_from == 1 and resumed.steps == 8
    a, b = _weights(whole.adapter_dir), _weights(resumed.adapter_dir)
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)
    assert resumed.losses == whole.losses


def test_no_training_data_is_refused(tiny_model_dir, tmp_path):
    with pytest.raises(InvalidRequestError, match="no training examples"):
        tune_lora(tiny_model_dir, [], VAL, tmp_path, FAST)
