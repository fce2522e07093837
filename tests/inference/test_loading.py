"""Loading checkpoints and LoRA adapters from local directories."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from inference.errors import ModelLoadError
from inference.loading import load_model, resolve_dtype
from inference.testing.tiny import make_tiny_adapter, make_tiny_model


def test_loads_a_chat_model_in_fp32_on_cpu(tiny_model_dir):
    model, tokenizer = load_model(tiny_model_dir)
    assert model.dtype == torch.float32 and model.device.type == "cpu"
    assert not model.training
    assert tokenizer.chat_template and tokenizer.pad_token_id is not None
    ids = tokenizer.apply_chat_template([{"role": "user", "content": "hi"}], add_generation_prompt=True, tokenize=False)
    assert ids.endswith("<|im_start|>assistant\n")


def test_qwen2_shape_and_dtype_override(tmp_path):
    path = make_tiny_model(tmp_path / "q", arch="qwen2", hidden=32, layers=1, heads=2, kv_heads=1, vocab=400)
    model, _ = load_model(path, dtype="bf16")
    assert model.config.model_type == "qwen2" and model.dtype == torch.bfloat16
    assert model.config.num_key_value_heads == 1


def test_default_dtype_per_device():
    assert resolve_dtype("cpu") == torch.float32
    assert resolve_dtype("cuda") == torch.bfloat16
    with pytest.raises(ModelLoadError):
        resolve_dtype("cpu", "int3")


@pytest.mark.parametrize("case", ["missing", "file", "no_config", "no_template", "not_causal"])
def test_invalid_model_directories_raise_model_load_error(case, tmp_path, tiny_model_dir):
    target = tmp_path / "m"
    if case == "file":
        target.write_text("not a dir")
    elif case == "no_config":
        target.mkdir()
        (target / "tokenizer.json").write_text("{}")
    elif case in ("no_template", "not_causal"):
        shutil.copytree(tiny_model_dir, target)
        if case == "no_template":
            (target / "chat_template.jinja").unlink()
            cfg = json.loads((target / "tokenizer_config.json").read_text())
            cfg.pop("chat_template", None)
            (target / "tokenizer_config.json").write_text(json.dumps(cfg))
        else:
            cfg = json.loads((target / "config.json").read_text())
            cfg["model_type"] = "no-such-architecture"
            (target / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelLoadError):
        load_model(target)


@pytest.mark.skipif(torch.cuda.is_available(), reason="only meaningful without a GPU")
def test_cuda_without_gpu_is_a_clear_error(tiny_model_dir):
    with pytest.raises(ModelLoadError, match="CUDA"):
        load_model(tiny_model_dir, device="cuda")


def test_lora_adapter_changes_the_model_and_merging_keeps_its_outputs(tiny_model_dir, tmp_path):
    adapter = make_tiny_adapter(tiny_model_dir, tmp_path / "lora")
    base, _ = load_model(tiny_model_dir)
    merged, _ = load_model(tiny_model_dir, adapter_path=adapter)
    unmerged, _ = load_model(tiny_model_dir, adapter_path=adapter, merge_adapter=False)
    ids = torch.tensor([[1, 20, 30, 40, 2]])
    with torch.no_grad():
        lb, lm, lu = (m(ids).logits for m in (base, merged, unmerged))
    assert not torch.allclose(lb, lm, atol=1e-4)
    assert torch.allclose(lm, lu, atol=1e-4)
    assert not hasattr(merged, "peft_config")  # merged: plain transformers model, no per-step LoRA cost


def test_bad_adapter_paths(tiny_model_dir, tmp_path):
    with pytest.raises(ModelLoadError, match="adapter"):
        load_model(tiny_model_dir, adapter_path=tmp_path / "nope")
    other = make_tiny_model(tmp_path / "wide", hidden=96, layers=1, heads=4, vocab=512)
    mismatched = make_tiny_adapter(other, tmp_path / "wide-lora")
    with pytest.raises(ModelLoadError, match="adapter"):
        load_model(tiny_model_dir, adapter_path=mismatched)


@pytest.mark.filterwarnings("ignore:.*is_gradient_checkpointing:FutureWarning")
def test_engine_serves_the_adapted_model(tiny_model_dir, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from inference.engine import Engine
    from inference.types import SamplingParams

    adapter = make_tiny_adapter(tiny_model_dir, tmp_path / "lora")
    reference = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model_dir), adapter).eval()
    prompt = [1, 50, 60, 70, 2, 1]
    expected = reference.generate(
        input_ids=torch.tensor([prompt]), max_new_tokens=8, min_new_tokens=8, do_sample=False, pad_token_id=0
    )[0, len(prompt) :].tolist()
    engine = Engine.from_pretrained(tiny_model_dir, adapter_path=adapter).start()
    try:
        result = engine.submit(prompt, SamplingParams(max_tokens=8, ignore_eos=True)).result(timeout=30)
    finally:
        engine.close()
    assert result.token_ids == expected
