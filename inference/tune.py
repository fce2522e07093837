"""LoRA supervised fine-tuning of a chat model on conversations (Hu et al. 2021, "LoRA"; peft).

`tune_lora` trains a LoRA adapter on chat examples (lists of OpenAI-style messages whose last message is the assistant
turn to learn; the loss covers only that turn), on CPU by default or CUDA when asked/available. It is seeded (same
data, config and seed → same adapter), reports progress (step, loss, ETA) through a callback, and is resumable: every
`save_every` steps it writes a checkpoint (adapter, optimizer, step) under ``out_dir/checkpoint`` and a later call with
the same config continues from it. The adapter is saved to ``out_dir/adapter``. No Django here.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import InvalidRequestError

Messages = list[dict]


@dataclass(frozen=True)
class TuneConfig:
    """rank/alpha/dropout: LoRA shape; top_layers: adapt only the last N decoder layers (backward stops there; None =
    all); lr: AdamW learning rate (linear warm-up over `warmup` steps, then cosine decay); steps: optimizer steps
    (data is cycled in seeded epochs); batch_size: examples per step; max_seq_len: tokens per example (longer prompts
    are cut from the left of the system message's passages, never in the answer); device: "auto" (CUDA when
    available), "cpu" or "cuda"; save_every: checkpoint interval in steps; max_minutes: stop early (and save) after
    this long; max_val_examples: held-out examples scored before and after (a seeded sample)."""

    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
    top_layers: int | None = 8
    lr: float = 1e-3
    warmup: int = 3
    steps: int = 24
    batch_size: int = 4
    max_seq_len: int = 288
    seed: int = 0
    device: str = "auto"
    save_every: int = 10
    max_minutes: float | None = None
    max_val_examples: int = 16

    def key(self) -> dict:
        """The settings a checkpoint must match to be resumed (not the time limit or the checkpoint interval)."""
        d = asdict(self)
        for k in ("save_every", "max_minutes", "device"):
            d.pop(k)
        d["target_modules"] = list(d["target_modules"])
        return d


@dataclass
class Progress:
    step: int
    total: int
    loss: float
    eta_s: float
    elapsed_s: float


@dataclass
class TuneResult:
    adapter_dir: Path
    steps: int
    train_examples: int
    val_examples: int
    train_tokens: int
    val_loss_before: float | None
    val_loss_after: float | None
    final_train_loss: float | None
    seconds: float
    device: str
    resumed_from: int = 0
    stopped_early: bool = False
    losses: list[float] = field(default_factory=list)


def encode_example(tokenizer, messages: Messages, max_seq_len: int) -> tuple[list[int], list[int]]:
    """(input_ids, labels) for one conversation: labels are -100 except on the final assistant turn's tokens."""
    if not messages or messages[-1].get("role") != "assistant":
        raise InvalidRequestError("a training example must end with an assistant message")
    prompt = tokenizer.apply_chat_template(messages[:-1], add_generation_prompt=True, tokenize=True)
    full = tokenizer.apply_chat_template(messages, tokenize=True)
    prompt = list(prompt["input_ids"] if hasattr(prompt, "keys") else prompt)
    full = list(full["input_ids"] if hasattr(full, "keys") else full)
    if full[: len(prompt)] != prompt:
        raise InvalidRequestError("the chat template does not render the prompt as a prefix of the conversation")
    answer = full[len(prompt) :]
    # drop the template's trailing newline after the end-of-turn token; keep the end-of-turn token itself
    eos = tokenizer.eos_token_id
    if eos in answer:
        answer = answer[: answer.index(eos) + 1]
    room = max_seq_len - len(answer)
    if room < 16:
        answer = answer[: max_seq_len - 16]
        room = 16
    if len(prompt) > room:  # keep the start (rules) and the end (question): cut the middle (the passages' tail)
        head = room // 2
        prompt = prompt[:head] + prompt[len(prompt) - (room - head) :]
    return prompt + answer, [-100] * len(prompt) + answer


def _batches(n: int, batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    order = list(range(n))
    random.Random(seed * 1000003 + epoch).shuffle(order)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def _collate(items, pad_id: int, device):
    import torch

    width = max(len(ids) for ids, _ in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    labels = torch.full((len(items), width), -100, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    for i, (x, y) in enumerate(items):
        ids[i, : len(x)] = torch.tensor(x)
        labels[i, : len(y)] = torch.tensor(y)
        mask[i, : len(x)] = 1
    return ids.to(device), labels.to(device), mask.to(device)


def mean_loss(model, tokenizer, encoded, *, batch_size: int = 4, device=None) -> float | None:
    """Mean per-token cross-entropy (nats) of the labelled tokens of `encoded` ``[(ids, labels)]``."""
    import torch

    if not encoded:
        return None
    device = device or next(model.parameters()).device
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(encoded), batch_size):
            ids, labels, mask = _collate(encoded[i : i + batch_size], tokenizer.pad_token_id, device)
            logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
            target = labels[:, 1:]
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), reduction="sum")
            total += float(loss)
            count += int((target != -100).sum())
    return total / max(count, 1)


def tune_lora(
    base_path,
    train: list[Messages],
    val: list[Messages],
    out_dir,
    config: TuneConfig = TuneConfig(),
    *,
    progress: Callable[[Progress], None] | None = None,
) -> TuneResult:
    """Train a LoRA adapter for the checkpoint `base_path` on `train`; measure `val` loss before and after.

    Returns a `TuneResult`; the adapter is in ``out_dir/adapter`` (a peft adapter directory). Raises
    InvalidRequestError for empty training data or malformed examples, `ModelLoadError` for an unusable base.
    """
    import torch

    from .loading import load_model

    if not train:
        raise InvalidRequestError("no training examples")
    started = time.perf_counter()
    device = config.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    out_dir = Path(out_dir)
    ckpt = out_dir / "checkpoint"
    torch.manual_seed(config.seed)
    random.seed(config.seed)
    model, tokenizer = load_model(base_path, device=device, dtype="float32")
    enc_train = [encode_example(tokenizer, m, config.max_seq_len) for m in train]
    if len(val) > config.max_val_examples:
        val = random.Random(config.seed).sample(val, config.max_val_examples)
    enc_val = [encode_example(tokenizer, m, config.max_seq_len) for m in val]
    val_before = mean_loss(model, tokenizer, enc_val)
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
    from safetensors.torch import load_file

    n_layers = model.config.num_hidden_layers
    layers = list(range(n_layers - config.top_layers, n_layers)) if config.top_layers else None
    lora = LoraConfig(
        r=config.rank,
        lora_alpha=config.alpha,
        lora_dropout=config.dropout,
        target_modules=list(config.target_modules),
        layers_to_transform=layers,
        task_type="CAUSAL_LM",
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning)
        model = get_peft_model(model, lora)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.0)

    def lr_at(step: int) -> float:
        if step < config.warmup:
            return config.lr * (step + 1) / config.warmup
        t = (step - config.warmup) / max(1, config.steps - config.warmup)
        return config.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, t)))

    start_step, losses = 0, []
    state_file = ckpt / "state.json"
    if state_file.is_file():
        state = json.loads(state_file.read_text())
        if state.get("config") == config.key() and state.get("examples") == len(enc_train):
            set_peft_model_state_dict(model, load_file(ckpt / "adapter_model.safetensors"))
            optimizer.load_state_dict(torch.load(ckpt / "optimizer.pt", map_location=device))
            start_step, losses = state["step"], state["losses"]
        else:
            shutil.rmtree(ckpt)

    def save_checkpoint(step: int) -> None:
        tmp = out_dir / "checkpoint.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        model.save_pretrained(tmp)
        torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
        (tmp / "state.json").write_text(
            json.dumps({"config": config.key(), "examples": len(enc_train), "step": step, "losses": losses})
        )
        shutil.rmtree(ckpt, ignore_errors=True)
        tmp.rename(ckpt)

    per_epoch = math.ceil(len(enc_train) / config.batch_size)
    model.train()
    step, stopped_early, tokens = start_step, False, 0
    loop_start = time.perf_counter()
    while step < config.steps:
        epoch, index = divmod(step, per_epoch)
        batch = _batches(len(enc_train), config.batch_size, config.seed, epoch)[index]
        torch.manual_seed(config.seed * 7919 + step)  # dropout masks depend only on the step
        ids, labels, mask = _collate([enc_train[i] for i in batch], tokenizer.pad_token_id, device)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step)
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        tokens += int(mask.sum())
        losses.append(round(float(loss.detach()), 4))
        elapsed = time.perf_counter() - loop_start
        done_here = step - start_step
        if progress:
            progress(Progress(step, config.steps, losses[-1], elapsed / done_here * (config.steps - step), elapsed))
        if step % config.save_every == 0 and step < config.steps:
            save_checkpoint(step)
        if config.max_minutes is not None and elapsed > 60 * config.max_minutes and step < config.steps:
            save_checkpoint(step)
            stopped_early = True
            break
    model.eval()
    adapter_dir = out_dir / "adapter"
    model.save_pretrained(adapter_dir)
    val_after = mean_loss(model, tokenizer, enc_val)
    if not stopped_early:
        shutil.rmtree(ckpt, ignore_errors=True)
    return TuneResult(
        adapter_dir=adapter_dir,
        steps=step,
        train_examples=len(enc_train),
        val_examples=len(enc_val),
        train_tokens=tokens,
        val_loss_before=val_before,
        val_loss_after=val_after,
        final_train_loss=losses[-1] if losses else None,
        seconds=time.perf_counter() - started,
        device=device,
        resumed_from=start_step,
        stopped_early=stopped_early,
        losses=losses,
    )
