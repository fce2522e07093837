"""`Engine`: continuous batching over one causal LM — lifecycle, submission and the worker loop.

Continuous batching (Yu et al. 2022, "Orca", OSDI): a worker thread owns the model. Between two decode steps it drops
finished and cancelled requests, admits waiting ones to free slots (`Scheduler`), prefills one *wave* of admitted
prompts and runs a single forward pass that produces the next token of every running request (`ModelRunner`). The KV
cache is a `SlotKVCache` whose rows join and leave without touching the others; automatic prefix caching
(`PrefixCache`, vLLM-style block hashing) skips the prompt prefixes already computed. The loop pushes token ids only;
text is made in the consumer's thread (`OutputProcessor`).

Why not transformers' own continuous batching (`model.init_continuous_batching`)? Measured on the 4-layer/512-hidden
benchmark model with 2 CPU threads its decode step at 16 sequences took ~28 ms against ~16 ms for this loop, and it has
one `do_sample` per batch, no per-request seed, and log-probabilities after temperature/top-p (docs/benchmarks.md).

Use::

    engine = Engine.from_pretrained("var/models/smollm2-135m-instruct", adapters={"llm101n": "var/ta/llm101n/adapter"}).start()
    async for delta in engine.submit([{"role": "user", "content": "Hi"}], SamplingParams(max_tokens=64), adapter="llm101n"):
        print(delta.text, end="")
    engine.close()
"""

from __future__ import annotations

import logging
import random
import threading
import time

import torch

from ..base import EngineBase, Prompt
from ..errors import EngineClosedError, InvalidRequestError, ModelLoadError
from ..kv_cache import SlotKVCache
from ..prefix_cache import PrefixCache
from ..stream import RequestStream
from ..types import Delta, SamplingParams, TopToken
from .model_runner import ModelRunner
from .output import OutputProcessor
from .scheduler import Scheduler
from .sequence import BASE_ADAPTER, Sequence

log = logging.getLogger(__name__)


def _attention_layers_only(model) -> bool:
    """True if every decoder layer is plain full attention (what `SlotKVCache` supports)."""
    from transformers.cache_utils import get_layer_types_and_kwargs

    try:
        layer_types, _ = get_layer_types_and_kwargs(model.config.get_text_config(decoder=True))
    except Exception:  # unusual configs: let the first forward tell
        return True
    return all(t == "full_attention" for t in layer_types)


def _eos_ids(model, tokenizer) -> set[int]:
    ids: set[int] = set()
    for source in (getattr(model, "generation_config", None), model.config):
        eos = getattr(source, "eos_token_id", None) if source is not None else None
        if isinstance(eos, int):
            ids.add(eos)
        elif eos:
            ids.update(int(e) for e in eos)
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    return ids


class Engine(EngineBase):
    """Continuous-batching generation over one causal LM (see module docstring).

    model: a transformers causal LM, or a peft model holding named LoRA adapters (one base in memory, an adapter chosen
      per request; see `inference.loading.load_model(adapters=...)`).
    max_batch_size: most sequences decoded together (slots of the KV cache).
    max_queue: most requests waiting for a slot; beyond it `submit` raises `EngineOverloadedError`.
    max_prefill_tokens: prompt tokens computed (not found in the prefix cache) between two decode steps (bounds the
      stall of running streams; a single longer prompt is still prefilled alone).
    max_context: prompt + answer limit in tokens (default: the model's `max_position_embeddings`).
    kv_capacity: initial KV-cache columns (the cache compacts, then doubles, when they run out).
    prefix_cache_bytes: cap on the prefix cache's key/value bytes (0 disables prefix caching).
    prefix_block_size: tokens per prefix-cache block (reuse is at this granularity).
    """

    def __init__(
        self,
        model,
        tokenizer,
        *,
        max_batch_size: int = 32,
        max_queue: int = 1024,
        max_prefill_tokens: int = 2048,
        max_context: int | None = None,
        model_name: str | None = None,
        kv_capacity: int = 256,
        prefix_cache_bytes: int = 256 << 20,
        prefix_block_size: int = 16,
    ) -> None:
        super().__init__(model_name or getattr(model.config, "_name_or_path", None) or "model")
        if not _attention_layers_only(model):
            raise ModelLoadError(
                "this engine supports decoders whose layers are all full attention "
                "(no sliding-window, linear-attention or recurrent layers)"
            )
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.adapters: tuple[str, ...] = tuple(getattr(model, "peft_config", {}) or ())
        self.device = next(model.parameters()).device
        self.max_context = max_context or int(getattr(model.config, "max_position_embeddings", 0) or 4096)
        self.eos_token_ids = _eos_ids(model, tokenizer)
        pad = tokenizer.pad_token_id
        pad = pad if pad is not None else min(self.eos_token_ids or {0})
        out_emb = model.get_output_embeddings()
        self._vocab = out_emb.weight.shape[0] if out_emb is not None else model.config.vocab_size
        layers = model.config.get_text_config(decoder=True).num_hidden_layers
        kv = SlotKVCache(layers, max_batch_size, capacity=kv_capacity, max_capacity=max(kv_capacity, 2 * (self.max_context + 1)))
        self.prefix_cache = PrefixCache(prefix_block_size, prefix_cache_bytes)
        self.scheduler = Scheduler(
            max_batch_size=max_batch_size,
            max_queue=max_queue,
            max_prefill_tokens=max_prefill_tokens,
            prefix_cache=self.prefix_cache,
            kv_cache=kv,
        )
        self.runner = ModelRunner(
            self.model, pad_token_id=pad, kv_cache=kv, prefix_cache=self.prefix_cache, multi_adapter=bool(self.adapters)
        )
        self._cancelled: set[str] = set()
        self._cv = threading.Condition()
        self._tok_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._fatal: BaseException | None = None

    @classmethod
    def from_pretrained(cls, path, *, device: str = "cpu", dtype=None, adapter_path=None, adapters=None, **kwargs) -> Engine:
        """Load a checkpoint with `inference.loading.load_model` and wrap it (kwargs go to `Engine`).

        adapter_path: one LoRA adapter merged into the weights. adapters: ``{name: adapter dir}`` kept unmerged, chosen
        per request by `submit(adapter=name)` (or by model name through `resolve_model`).
        """
        from pathlib import Path

        from ..loading import load_model

        model, tokenizer = load_model(path, device=device, dtype=dtype, adapter_path=adapter_path, adapters=adapters)
        kwargs.setdefault("model_name", Path(path).name)
        return cls(model, tokenizer, **kwargs)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Engine:
        """Start the worker thread (idempotent); returns self."""
        if self._thread is None or not self._thread.is_alive():
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="inference-engine", daemon=True)
            self._thread.start()
        return self

    def close(self, timeout: float | None = 10.0) -> None:
        """Stop the worker; running and waiting requests end with finish_reason "cancelled"."""
        with self._cv:
            self._stopping = True
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        self._abort_all("cancelled")

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stopping

    @property
    def queue_depth(self) -> int:
        return len(self.scheduler.waiting) + len(self.scheduler.staged)

    @property
    def active_sequences(self) -> int:
        return len(self.scheduler.running)

    @property
    def steps(self) -> int:
        """Decode steps run so far."""
        return self.runner.steps

    @property
    def served_models(self) -> list[str]:
        """Model names a request may ask for: the base model's, then one per adapter."""
        return [self.model_name, *self.adapters]

    def resolve_model(self, name: str | None) -> str | None:
        """The adapter serving model `name` (`BASE_ADAPTER` for the base, or when `name` is empty); None if unknown."""
        if not name or name == self.model_name:
            return BASE_ADAPTER
        return name if name in self.adapters else None

    # ------------------------------------------------------------------ submission
    def encode(self, prompt: Prompt) -> list[int]:
        """Token ids of a prompt (chat messages go through the model's chat template)."""
        with self._tok_lock:
            if isinstance(prompt, str):
                return list(self.tokenizer(prompt, add_special_tokens=False)["input_ids"])
            if prompt and isinstance(prompt[0], dict):
                out = self.tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True)
                if hasattr(out, "keys"):
                    out = out["input_ids"]
                return [int(t) for t in out]
            return [int(t) for t in prompt]

    def submit(
        self, prompt: Prompt, params: SamplingParams | None = None, *, request_id: str | None = None, adapter: str | None = None
    ) -> RequestStream:
        """Queue a request; returns its stream of `Delta`s (iterate with ``async for`` or ``for``). `adapter`: the
        LoRA adapter to serve it with (a name in `adapters`; None or `BASE_ADAPTER`: the base model).

        Raises InvalidRequestError (empty or too long prompt, bad token ids, unknown adapter), EngineOverloadedError
        (queue full), EngineClosedError (engine not running).
        """
        params = params or SamplingParams()
        adapter = adapter or BASE_ADAPTER
        if adapter != BASE_ADAPTER and adapter not in self.adapters:
            raise InvalidRequestError(f"unknown adapter {adapter!r}; this engine serves {self.served_models}")
        if not self.alive:
            raise EngineClosedError("the inference engine is not running")
        try:
            ids = self.encode(prompt)
        except Exception as exc:  # a malformed message list, a template error...
            raise InvalidRequestError(f"cannot build the prompt: {exc}") from exc
        if not ids:
            raise InvalidRequestError("the prompt is empty")
        if min(ids) < 0 or max(ids) >= self._vocab:
            raise InvalidRequestError("prompt token ids out of the model's vocabulary")
        room = self.max_context - len(ids)
        if room < 1:
            raise InvalidRequestError(f"the prompt has {len(ids)} tokens; this model's context window is {self.max_context}")
        rid = request_id or self._new_request_id()
        processor = OutputProcessor(self.tokenizer, self._tok_lock, ids, params, lambda: self.cancel(rid))
        stream = RequestStream(rid, len(ids), self.cancel, processor)
        generator = None
        if not params.greedy:
            generator = torch.Generator(device=self.device)
            generator.manual_seed(params.seed if params.seed is not None else random.getrandbits(63))
        salt = b"" if adapter == BASE_ADAPTER else adapter.encode()
        seq = Sequence(
            request_id=rid,
            prompt_ids=ids,
            params=params,
            stream=stream,
            max_new=min(params.max_tokens, room),
            generator=generator,
            adapter=adapter,
            block_keys=self.prefix_cache.block_keys(ids, salt) if self.prefix_cache.enabled else [],
        )
        with self._cv:
            self.scheduler.add(seq)
            self._cv.notify()
        return stream

    def cancel(self, request_id: str) -> None:
        """Cancel a request; its slot is freed before the next decode step."""
        with self._cv:
            self._cancelled.add(request_id)
            self._cv.notify()

    # ------------------------------------------------------------------ worker
    def _run(self) -> None:
        torch.set_grad_enabled(False)
        sched = self.scheduler
        try:
            while True:
                with self._cv:
                    while not (self._stopping or sched.has_work() or self._cancelled):
                        self._cv.wait()
                    if self._stopping:
                        return
                    cancelled, self._cancelled = self._cancelled, set()
                    for seq in sched.take_cancelled(cancelled):
                        self._finish(seq, "cancelled")
                    sched.admit()
                wave: list[Sequence] = []
                try:
                    with torch.inference_mode():
                        wave = sched.next_wave()
                        if wave:
                            self._prefill(wave)
                        if sched.running:
                            self._decode_step()
                except Exception as exc:  # a failed step fails its requests, not the worker
                    log.exception("inference step failed")
                    staged, sched.staged = sched.staged, []
                    for seq in wave + staged + sched.running:
                        self._finish(seq, "error", error=f"{type(exc).__name__}: {exc}")
                    sched.reset_running()
                    self.prefix_cache.clear()
        except BaseException as exc:  # pragma: no cover - worker death
            self._fatal = exc
            log.exception("inference worker died")
        finally:
            self._abort_all("error" if self._fatal else "cancelled")

    def _prefill(self, wave: list[Sequence]) -> None:
        for seq, keys, values, choice, i in self.runner.prefill(wave, self.scheduler.usable_blocks):
            self._emit_first_token(time.perf_counter() - seq.submitted_at)
            if not self._accept(seq, choice.tokens[i], choice.logprobs and choice.logprobs[i], choice.top[i]):
                self.scheduler.add_running(seq, keys, values)

    def _decode_step(self) -> None:
        running = list(self.scheduler.running)
        choice = self.runner.decode(running)
        finished = [
            i
            for i, s in enumerate(running)
            if self._accept(s, choice.tokens[i], choice.logprobs and choice.logprobs[i], choice.top[i])
        ]
        for row in reversed(finished):
            self.scheduler.remove_row(row)

    def _accept(self, seq: Sequence, token: int, logprob: float | None, top) -> bool:
        """Record one generated token, push it (ids only: text is made by the consumer); True if `seq` is finished."""
        seq.generated += 1
        seq.last_token = token
        self._emit_tokens(1)
        delta = Delta()
        finish = None
        if (token in self.eos_token_ids and not seq.params.ignore_eos) or token in seq.params.stop_token_ids:
            finish = "stop"
        else:
            delta.token_ids = [token]
            if seq.params.wants_logprobs and logprob is not None:
                delta.logprobs = [logprob]
                if top is not None:
                    delta.top_logprobs = [[TopToken(t, "", lp) for t, lp in top]]
            if seq.generated >= seq.max_new:
                finish = "length"
        if finish is None:
            seq.stream.push(delta)
            return False
        self._finish(seq, finish, delta)
        return True

    def _finish(self, seq: Sequence, reason: str, delta: Delta | None = None, error: str | None = None) -> None:
        if seq.done:
            return
        seq.done = True
        delta = delta or Delta()
        delta.finish_reason = reason
        delta.prompt_tokens = seq.prompt_len
        delta.completion_tokens = seq.generated
        delta.error = error
        seq.stream.push(delta)
        self._emit_finish(reason, seq.prompt_len, seq.generated, time.perf_counter() - seq.submitted_at)

    def _abort_all(self, reason: str) -> None:
        with self._cv:
            seqs = self.scheduler.drain()
        for seq in seqs:
            self._finish(seq, reason, error=str(self._fatal) if self._fatal else None)
