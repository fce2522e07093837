"""Prometheus metrics of an inference worker (exposed by `inference.serve` at ``GET /metrics``).

Names follow Prometheus conventions (base units, ``_total`` counters); the set mirrors what vLLM exports
(queue depth, running sequences, time to first token, generation throughput) so dashboards carry over.
Each `WorkerMetrics` has its own registry, so several servers can live in one process (tests).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .base import EngineBase

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


class WorkerMetrics:
    """Engine observer that records metrics into its own registry; `render()` gives the exposition text."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, engine: EngineBase, prefix: str = "inference") -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        Gauge(f"{prefix}_queue_depth", "Requests waiting for a batch slot", registry=r).set_function(lambda: engine.queue_depth)
        Gauge(f"{prefix}_active_sequences", "Sequences in the running batch", registry=r).set_function(
            lambda: engine.active_sequences
        )
        Gauge(f"{prefix}_tokens_per_second", "Generated tokens per second, all requests, last 10 s", registry=r).set_function(
            engine.tokens_per_second
        )
        cache = getattr(engine, "prefix_cache", None)
        if cache is not None:  # the batching Engine's automatic prefix cache
            Gauge(
                f"{prefix}_prefix_cache_hit_ratio",
                "Prompt tokens found in the prefix cache / prompt tokens looked up, since start or the last clear",
                registry=r,
            ).set_function(lambda: cache.stats.hit_rate)
            Gauge(f"{prefix}_prefix_cache_bytes", "Bytes of keys/values held by the prefix cache", registry=r).set_function(
                lambda: cache.nbytes
            )
        self.generated = Counter(f"{prefix}_generated_tokens", "Generated tokens", registry=r)
        self.prompt = Counter(f"{prefix}_prompt_tokens", "Prompt tokens of finished requests", registry=r)
        self.requests = Counter(f"{prefix}_requests", "Finished requests by finish reason", ["finish_reason"], registry=r)
        self.ttft = Histogram(
            f"{prefix}_time_to_first_token_seconds",
            "Time from submission to the first token",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.latency = Histogram(
            f"{prefix}_request_duration_seconds", "Time from submission to the last token", buckets=_LATENCY_BUCKETS, registry=r
        )
        engine.add_observer(self)

    # EngineObserver
    def on_first_token(self, ttft_s: float) -> None:
        self.ttft.observe(ttft_s)

    def on_tokens(self, n: int) -> None:
        self.generated.inc(n)

    def on_finish(self, reason: str, prompt_tokens: int, completion_tokens: int, latency_s: float) -> None:
        self.requests.labels(finish_reason=reason).inc()
        self.prompt.inc(prompt_tokens)
        self.latency.observe(latency_s)

    def render(self) -> bytes:
        return generate_latest(self.registry)
