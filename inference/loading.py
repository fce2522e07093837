"""Load a local Hugging Face causal-LM checkpoint (and optionally a LoRA adapter) for serving.

Any directory that `transformers.AutoModelForCausalLM` and `AutoTokenizer` accept works, provided the tokenizer has a
chat template (Qwen2.5-Instruct, Llama-3-Instruct, nanochat through `NanoChatForCausalLM`, ...). Nothing is ever
downloaded: loading is forced offline (`local_files_only`). Defaults: fp32 on CPU, bf16 on CUDA.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from .errors import ModelLoadError

_DTYPES = {
    "float32": "float32",
    "fp32": "float32",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
    "float16": "float16",
    "fp16": "float16",
    "half": "float16",
}


def resolve_dtype(device: str, dtype=None):
    """The torch dtype to load with: `dtype` (a torch.dtype or a name such as "bf16") or the device's default."""
    import torch

    if dtype is None or dtype == "auto":
        return torch.bfloat16 if str(device).startswith("cuda") else torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    name = _DTYPES.get(str(dtype).lower())
    if name is None:
        raise ModelLoadError(f"unknown dtype {dtype!r}; use one of {sorted(set(_DTYPES))}")
    return getattr(torch, name)


def _check_dir(path: Path, marker: str, what: str) -> None:
    if not path.exists():
        raise ModelLoadError(f"{what} directory {path} does not exist")
    if not path.is_dir():
        raise ModelLoadError(f"{what} path {path} is not a directory")
    if not (path / marker).is_file():
        raise ModelLoadError(f"{what} directory {path} has no {marker}")


def load_model(
    path,
    *,
    device: str = "cpu",
    dtype=None,
    adapter_path=None,
    merge_adapter: bool = True,
    adapters=None,
    attn_implementation: str = "sdpa",
):
    """Load ``(model, tokenizer)`` from the local checkpoint directory `path`.

    device: "cpu", "cuda" or "cuda:N". dtype: None/"auto" (fp32 on CPU, bf16 on CUDA), a name ("bf16", "float16",
    ...) or a torch.dtype. adapter_path: a peft LoRA adapter directory (Hu et al. 2021), merged into the weights
    unless `merge_adapter` is False. adapters: ``{name: adapter directory}`` loaded side by side and kept unmerged (a
    peft model: one base in memory, the adapter chosen per request with peft's ``adapter_names``). The model is returned in eval mode on `device`; the tokenizer gets a pad token
    (its EOS) if it has none.

    Raises ModelLoadError when the directory is missing, is not a causal-LM checkpoint, has no chat template, when the
    adapter does not fit the model, or when CUDA is requested but unavailable.
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    path = Path(path)
    _check_dir(path, "config.json", "model")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ModelLoadError(f"device {device!r} requested but CUDA is not available")
    torch_dtype = resolve_dtype(device, dtype)
    try:
        config = AutoConfig.from_pretrained(path, local_files_only=True)
    except Exception as exc:
        raise ModelLoadError(f"{path}/config.json is not a valid transformers config: {exc}") from exc
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    except Exception as exc:
        raise ModelLoadError(f"cannot load the tokenizer from {path}: {exc}") from exc
    if not getattr(tokenizer, "chat_template", None):
        raise ModelLoadError(f"the tokenizer in {path} has no chat template (an instruct/chat model is required)")
    try:
        model = AutoModelForCausalLM.from_pretrained(
            path,
            config=config,
            dtype=torch_dtype,
            local_files_only=True,
            attn_implementation=attn_implementation,
        )
    except ValueError as exc:
        raise ModelLoadError(f"{path} is not a causal language model checkpoint: {exc}") from exc
    except (OSError, RuntimeError) as exc:
        raise ModelLoadError(f"cannot load the weights from {path}: {exc}") from exc
    if adapter_path is not None:
        model = _apply_adapter(model, Path(adapter_path), merge_adapter)
    if adapters:
        model = _load_named_adapters(model, {str(k): Path(v) for k, v in dict(adapters).items()})
    model.to(device)
    model.eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def _apply_adapter(model, adapter_path: Path, merge: bool):
    from peft import PeftModel

    _check_dir(adapter_path, "adapter_config.json", "adapter")
    try:
        with warnings.catch_warnings():  # peft 0.21 calls a transformers API deprecated in 5.x
            warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
            peft_model = PeftModel.from_pretrained(model, adapter_path, is_trainable=False)
    except Exception as exc:
        raise ModelLoadError(f"the adapter in {adapter_path} does not fit this model: {exc}") from exc
    return peft_model.merge_and_unload() if merge else peft_model


def _load_named_adapters(model, adapters: dict[str, Path]):
    from peft import PeftModel

    peft_model = None
    for name, adapter_dir in adapters.items():
        _check_dir(adapter_dir, "adapter_config.json", f"adapter {name!r}")
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
                if peft_model is None:
                    peft_model = PeftModel.from_pretrained(model, adapter_dir, adapter_name=name, is_trainable=False)
                else:
                    peft_model.load_adapter(adapter_dir, adapter_name=name, is_trainable=False)
        except Exception as exc:
            raise ModelLoadError(f"the adapter {name!r} in {adapter_dir} does not fit this model: {exc}") from exc
    return peft_model
