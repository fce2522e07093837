"""The model side of Academy: loading a causal LM, continuous-batching generation, an OpenAI-compatible server and
the client the tutor uses. No Django here; `inference.client` and `inference.types` import no torch either.

Modules: `loading` (load_model, the shipped base model), `engine` (Engine: scheduler, model runner, output processing),
`testing` (offline tiny models, ScriptedEngine), `serve` (HTTP server, ``python -m inference.serve``), `client` (ChatClient, EngineClient).
"""

import os

# torch's CPU thread pool (GNU OpenMP) spins at every barrier by default. In a server, the event-loop threads then
# compete with spinning threads for the few cores and a decode step can take 10-50x longer (measured: ~10 ms → ~500
# ms per step on 2 cores; see docs/benchmarks.md). Passive waiting must be chosen before torch is first imported, so
# it is set here; an OMP_WAIT_POLICY already in the environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .errors import (  # noqa: E402
    BackendResponseError,
    BackendUnavailableError,
    EngineClosedError,
    EngineOverloadedError,
    InferenceError,
    InvalidRequestError,
    ModelLoadError,
)
from .types import Completion, Delta, SamplingParams  # noqa: E402

__all__ = [
    "BackendResponseError",
    "BackendUnavailableError",
    "Completion",
    "Delta",
    "EngineClosedError",
    "EngineOverloadedError",
    "InferenceError",
    "InvalidRequestError",
    "ModelLoadError",
    "SamplingParams",
]
