"""Tiny random-init chat models, built offline, for tests, benchmarks and demos.

`make_tiny_model` writes a complete Hugging Face checkpoint directory (config, safetensors weights, generation config,
fast tokenizer with a ChatML chat template) that `inference.loading.load_model` — or any transformers / vLLM loader —
accepts. Nothing is downloaded: the model is random-initialised from a transformers config class and the tokenizer is a
byte-level BPE (Sennrich et al. 2016; GPT-2 byte-level variant, Radford et al. 2019) trained in-process with the
`tokenizers` library on a short built-in text. The output is gibberish, but the shapes, the special tokens, the
chat template and the code paths are those of a real instruct model (ChatML as used by Qwen2.5-Instruct).

`make_tiny_adapter` writes a LoRA adapter (Hu et al. 2021) for such a model with peft, non-zero initialised so that
loading it visibly changes the model's outputs.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Literal

#: ChatML special tokens (Qwen2.5-Instruct convention). `<|im_end|>` ends an assistant turn and is the EOS token.
IM_START, IM_END, END_OF_TEXT = "<|im_start|>", "<|im_end|>", "<|endoftext|>"

#: ChatML chat template (Jinja), the format of Qwen2.5-Instruct without its default system prompt.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

_CORPUS = """\
A course is a ramp to knowledge: every step depends only on what came before it. The tutor serves the student just
the right sliver, never too hard and never trivial. The student tries before any solution is shown, and nobody is ever
stuck: there is always a hint, the automated teaching assistant, a human teaching assistant, or the reference answer.
Let's build a storyteller. A language model predicts the next token from the tokens before it. We start with a bigram
model that counts pairs of characters, then a multilayer perceptron, then attention, then the transformer. Tokens are
made by byte pair encoding: the most frequent pair of symbols is merged into a new symbol, again and again. We train
with gradient descent: compute the loss, backpropagate the gradient, take a small step, and repeat. The learning rate
matters; too large and the loss explodes, too small and nothing happens. Attention lets every position look at the
positions before it; queries meet keys, and the softmax of their dot products weighs the values. A key value cache keeps
the keys and values of past tokens, so each new token costs one step instead of the whole sequence again. Sampling with
a temperature below one sharpens the distribution; top p keeps the smallest set of tokens whose probability reaches p.
Fine tuning on conversations turns a base model into a chat model; low rank adapters train only a small update.
What is the gradient of the loss with respect to the weights? Why does my loss not go down? How do I pick the batch
size? Can you give me a hint for problem three? I tried softmax over the wrong axis, what should I check first?
0123456789 + - * / = ( ) [ ] { } < > . , ; : ! ? ' " def return import torch numpy print for in range if else
"""


def _train_tokenizer(vocab_size: int):
    """Train a byte-level BPE tokenizer on the built-in corpus; returns a transformers fast tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[END_OF_TEXT, IM_START, IM_END],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator([_CORPUS] * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token=IM_END,
        pad_token=END_OF_TEXT,
        additional_special_tokens=[IM_START],
    )
    fast.chat_template = CHATML_TEMPLATE
    return fast


def make_tiny_model(
    path: str | Path,
    *,
    hidden: int = 64,
    layers: int = 2,
    heads: int = 4,
    kv_heads: int | None = None,
    intermediate: int | None = None,
    vocab: int = 512,
    arch: Literal["llama", "qwen2"] = "llama",
    max_positions: int = 2048,
    seed: int = 0,
    tokenizer_vocab: int | None = None,
) -> Path:
    """Build and save a random-init causal LM + ChatML tokenizer in `path`; returns the path.

    hidden/layers/heads/kv_heads/intermediate: transformer shape (intermediate defaults to 4 × hidden, kv_heads to heads).
    vocab: the model's embedding rows; the tokenizer is trained to `tokenizer_vocab` (default `min(vocab, 2048)`, the
    built-in corpus cannot fill more) entries and the remaining embedding rows are simply never produced by it —
    as in real checkpoints whose embedding matrix is padded (e.g. Qwen2.5: 151 936 rows, 151 665 tokens).
    arch: "llama" (LlamaForCausalLM) or "qwen2" (Qwen2ForCausalLM, with q/k/v biases).
    seed: torch seed for the weights, so the same arguments give the same model.
    """
    import torch
    from transformers import AutoModelForCausalLM, GenerationConfig, LlamaConfig, Qwen2Config

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    tokenizer = _train_tokenizer(tokenizer_vocab or min(vocab, 2048))
    if len(tokenizer) > vocab:
        raise ValueError(f"vocab={vocab} is smaller than the tokenizer's {len(tokenizer)} tokens")
    eos_id = tokenizer.convert_tokens_to_ids(IM_END)
    pad_id = tokenizer.convert_tokens_to_ids(END_OF_TEXT)
    common = dict(
        vocab_size=vocab,
        hidden_size=hidden,
        intermediate_size=intermediate or 4 * hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads or heads,
        max_position_embeddings=max_positions,
        tie_word_embeddings=False,
        eos_token_id=eos_id,
        pad_token_id=pad_id,
        bos_token_id=None,
    )
    if arch == "llama":
        config = LlamaConfig(**common)
    elif arch == "qwen2":
        config = Qwen2Config(**common)
    else:
        raise ValueError(f"unknown arch {arch!r}; expected 'llama' or 'qwen2'")
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.generation_config = GenerationConfig(eos_token_id=eos_id, pad_token_id=pad_id, do_sample=False)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def make_tiny_adapter(
    model_path: str | Path,
    adapter_path: str | Path,
    *,
    rank: int = 4,
    alpha: int = 8,
    target_modules: tuple[str, ...] = ("q_proj", "v_proj"),
    seed: int = 1,
) -> Path:
    """Save a LoRA adapter (Hu et al. 2021) for the model in `model_path` into `adapter_path`; returns the path.

    Both LoRA matrices are random (peft's `init_lora_weights=False`), so, unlike a freshly initialised adapter whose B is
    zero, this one changes the model's logits — tests can tell whether it was applied.
    """
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32)
    config = LoraConfig(
        r=rank,
        lora_alpha=alpha,
        target_modules=list(target_modules),
        init_lora_weights=False,
        task_type="CAUSAL_LM",
    )
    with warnings.catch_warnings():  # peft 0.21 calls a transformers API deprecated in 5.x
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        peft_model = get_peft_model(base, config)
    adapter_path = Path(adapter_path)
    peft_model.save_pretrained(adapter_path)
    return adapter_path
