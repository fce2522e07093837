"""GPU benchmark of the inference worker: decode tokens/s at batch 1, 8, 32, 64 vs the memory-bandwidth bound.

    .venv/bin/python bench/inference_gpu.py [--hbm-bandwidth 4.8e12] [--new-tokens 256] [--prompt-tokens 128]

Model: random-init Qwen2.5-0.5B shape (Qwen2Config: 24 layers, hidden 896, intermediate 4864, 14 query / 2 KV heads
of dim 64, vocab 151 936, tied embeddings; Qwen Team 2024, "Qwen2.5 technical report") in bf16 on CUDA, served by the
real `Engine` (continuous batching, `SlotKVCache`). For each batch size B, B requests of `--prompt-tokens` tokens are
submitted together and generate `--new-tokens` tokens each (EOS ignored); decode tokens/s is measured from the moment
every request has its first token (prefill done) to the end.

Bound: a decode step must at least read every weight once plus every live KV entry once, so
``step_time ≥ (weight_bytes + KV_bytes(B, mean context)) / HBM_bandwidth`` and
``tokens/s ≤ B / step_time`` (H200 HBM3e: 4.8 TB/s, `--hbm-bandwidth` to change). The ratio measured/bound is the
fraction of the roofline reached. Issue #5 targets: batch 1 ≥ 30 % of its bound; batch 64 aggregate ≥ 20× batch 1.

Without CUDA it prints ``{"skipped": "no CUDA"}`` and exits 0 (CI has no GPU). `--device cpu` with a smaller
`--layers` runs the same code path on CPU, for checking the script itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QWEN25_05B = dict(
    hidden_size=896,
    intermediate_size=4864,
    num_hidden_layers=24,
    num_attention_heads=14,
    num_key_value_heads=2,
    vocab_size=151936,
    max_position_embeddings=32768,
    rms_norm_eps=1e-6,
    tie_word_embeddings=True,
    rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--hbm-bandwidth", type=float, default=4.8e12, help="bytes/s (H200: 4.8e12)")
    p.add_argument("--batches", default="1,8,32,64")
    p.add_argument("--prompt-tokens", type=int, default=128)
    p.add_argument("--new-tokens", type=int, default=256)
    p.add_argument("--layers", type=int, default=QWEN25_05B["num_hidden_layers"])
    args = p.parse_args()

    import torch

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print(json.dumps({"bench": "inference_gpu", "skipped": "no CUDA"}))
        return

    from transformers import AutoModelForCausalLM, GenerationConfig, Qwen2Config

    from inference.engine import Engine
    from inference.testing.tiny import IM_END, _train_tokenizer
    from inference.types import SamplingParams

    dtype = torch.bfloat16 if args.device.startswith("cuda") else torch.float32
    tokenizer = _train_tokenizer(1024)  # offline byte-level BPE; the model's vocabulary stays Qwen-sized
    eos = tokenizer.convert_tokens_to_ids(IM_END)
    config = Qwen2Config(
        **{**QWEN25_05B, "num_hidden_layers": args.layers}, eos_token_id=eos, pad_token_id=tokenizer.pad_token_id
    )
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, dtype=dtype, attn_implementation="sdpa").to(args.device).eval()
    model.generation_config = GenerationConfig(eos_token_id=eos, pad_token_id=tokenizer.pad_token_id)
    # every distinct parameter tensor is read once per step (tied embedding/lm_head counted once)
    weight_bytes = sum(t.numel() * t.element_size() for t in {id(t): t for t in model.parameters()}.values())
    head_dim = config.hidden_size // config.num_attention_heads
    kv_bytes_per_token = args.layers * 2 * config.num_key_value_heads * head_dim * torch.finfo(dtype).bits // 8
    batches = [int(b) for b in args.batches.split(",")]
    engine = Engine(
        model,
        tokenizer,
        max_batch_size=max(batches),
        max_prefill_tokens=max(batches) * args.prompt_tokens,
        model_name="qwen2.5-0.5b-shape",
    ).start()
    gen = torch.Generator().manual_seed(1)
    warm = torch.randint(10, 1000, (args.prompt_tokens,), generator=gen).tolist()
    engine.submit(warm, SamplingParams(max_tokens=8, ignore_eos=True)).result()

    results = {}
    for b in batches:
        prompts = [torch.randint(10, 1000, (args.prompt_tokens,), generator=gen).tolist() for _ in range(b)]
        params = SamplingParams(max_tokens=args.new_tokens, ignore_eos=True)
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        streams = [engine.submit(pr, params) for pr in prompts]
        firsts = [next(iter(s)) for s in streams]  # blocks until each request has its first token
        t_decode = time.perf_counter()
        steps_before = engine.steps
        rest = [s.result() for s in streams]
        t_end = time.perf_counter()
        generated = sum(len(f.token_ids) for f in firsts) + sum(len(r.token_ids) for r in rest)
        assert generated == b * args.new_tokens, generated
        decode_tokens = b * (args.new_tokens - 1)
        tps = decode_tokens / (t_end - t_decode)
        mean_ctx = args.prompt_tokens + args.new_tokens / 2
        step_bytes = weight_bytes + b * mean_ctx * kv_bytes_per_token
        bound_tps = b / (step_bytes / args.hbm_bandwidth)
        results[str(b)] = {
            "decode_tokens_per_s": round(tps, 1),
            "step_ms": round(1000 * (t_end - t_decode) / max(1, engine.steps - steps_before), 3),
            "bound_tokens_per_s": round(bound_tps, 1),
            "ratio_to_bound": round(tps / bound_tps, 3),
            "ttft_s": round(t_decode - t0, 3),
        }
        print(json.dumps({"batch": b, **results[str(b)]}), file=sys.stderr, flush=True)
    engine.close()
    lo, hi = str(min(batches)), str(max(batches))
    out = {
        "bench": "inference_gpu",
        "device": torch.cuda.get_device_name() if args.device.startswith("cuda") else args.device,
        "model": {
            "shape": "Qwen2.5-0.5B",
            "layers": args.layers,
            "dtype": str(dtype).removeprefix("torch."),
            "weight_bytes": weight_bytes,
        },
        "hbm_bandwidth": args.hbm_bandwidth,
        "prompt_tokens": args.prompt_tokens,
        "new_tokens": args.new_tokens,
        "batches": results,
        "batch1_ratio_to_bound": results[lo]["ratio_to_bound"],
        f"batch{hi}_vs_batch{lo}_aggregate": round(results[hi]["decode_tokens_per_s"] / results[lo]["decode_tokens_per_s"], 2),
        "targets": {"batch1_ratio_to_bound": 0.30, "batch64_vs_batch1": 20.0},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
