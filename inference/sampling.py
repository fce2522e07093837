"""Next-token selection for a batch whose rows have different sampling parameters.

Greedy rows take the argmax; sampling rows draw from softmax(logits / T) restricted to the top-p nucleus (Holtzman et
al. 2020, "The Curious Case of Neural Text Degeneration"), each row with its own `torch.Generator` so that a seeded
request gives the same answer whatever it is batched with. Log-probabilities are those of the model's raw distribution
(log_softmax of the logits, temperature 1, before top-p), which is what the TA's confidence estimate needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .types import SamplingParams


@dataclass
class Choice:
    """The selected tokens of one step. tokens: ``[batch]`` ids; logprobs: ``[batch]`` (natural log) or None;
    top: per row a list of (token_id, logprob) or None."""

    tokens: list[int]
    logprobs: list[float] | None
    top: list[list[tuple[int, float]] | None]


def _sample_row(logits: torch.Tensor, params: SamplingParams, generator: torch.Generator | None) -> int:
    probs = torch.softmax(logits / params.temperature, dim=-1)
    if params.top_p < 1.0:
        sorted_probs, sorted_idx = probs.sort(descending=True)
        cumulative = sorted_probs.cumsum(dim=-1)
        # keep the smallest prefix whose mass reaches top_p (the first token is always kept)
        cut = (cumulative - sorted_probs) >= params.top_p
        sorted_probs = sorted_probs.masked_fill(cut, 0.0)
        pick = torch.multinomial(sorted_probs, 1, generator=generator)
        return int(sorted_idx[pick])
    return int(torch.multinomial(probs, 1, generator=generator))


def select_tokens(
    logits: torch.Tensor,
    params: list[SamplingParams],
    generators: list[torch.Generator | None],
) -> Choice:
    """Pick one token per row.

    logits: ``[batch, vocab]`` (any float dtype; computed in fp32). params/generators: one per row.
    """
    logits = logits.float()
    greedy_tokens = logits.argmax(dim=-1)
    tokens = greedy_tokens.tolist()
    for row, p in enumerate(params):
        if not p.greedy:
            tokens[row] = _sample_row(logits[row], p, generators[row])
    need_lp = [p.wants_logprobs for p in params]
    logprobs = None
    top: list[list[tuple[int, float]] | None] = [None] * len(params)
    if any(need_lp):
        logp = torch.log_softmax(logits, dim=-1)
        chosen = logp.gather(1, torch.tensor(tokens, device=logits.device)[:, None]).squeeze(1)
        logprobs = chosen.tolist()
        k = max(p.top_logprobs for p in params)
        if k > 0:
            top_v, top_i = logp.topk(k, dim=-1)
            top_v, top_i = top_v.tolist(), top_i.tolist()
            for row, p in enumerate(params):
                if p.top_logprobs:
                    top[row] = list(zip(top_i[row][: p.top_logprobs], top_v[row][: p.top_logprobs]))
    return Choice(tokens=tokens, logprobs=logprobs, top=top)
