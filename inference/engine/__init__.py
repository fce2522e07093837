"""The batching inference engine, laid out as small engines are (nano-vllm): `sequence` (one request's state),
`scheduler` (waiting → staged → running, prefill waves), `model_runner` (the forward passes), `output` (token ids →
text, stop strings; runs in the consumer's thread) and `llm_engine` (the `Engine`: lifecycle, submission, worker loop).
"""

from .llm_engine import Engine
from .sequence import BASE_ADAPTER, Sequence

__all__ = ["BASE_ADAPTER", "Engine", "Sequence"]
