"""Fixtures for the inference tests: a tiny random-init chat model built offline in a temp dir, once per session."""

from __future__ import annotations

import socket
import threading
import time

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    from inference.testing.tiny import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny-llama"), hidden=64, layers=2, heads=4, vocab=512)


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    """(model, tokenizer) loaded with the real loader. Shared: tests must not modify it."""
    from inference.loading import load_model

    return load_model(tiny_model_dir)


@pytest.fixture
def make_engine(tiny_model):
    """Factory for started engines over the shared tiny model; all are closed at teardown."""
    from inference.engine import Engine

    engines = []

    def make(**kwargs):
        model, tokenizer = tiny_model
        engine = Engine(model, tokenizer, model_name="tiny", **kwargs).start()
        engines.append(engine)
        return engine

    yield make
    for e in engines:
        e.close()


def greedy_reference(model, prompt_ids: list[int], n: int) -> list[int]:
    """The first `n` tokens `model.generate` produces greedily for one unpadded prompt (EOS ignored)."""
    out = model.generate(torch.tensor([prompt_ids]), max_new_tokens=n, min_new_tokens=n, do_sample=False, pad_token_id=0)
    return out[0, len(prompt_ids) :].tolist()


class LiveServer:
    """A uvicorn server for an ASGI app, in a background thread on a free port."""

    def __init__(self, app) -> None:
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.fixture
def greedy(tiny_model):
    """greedy(prompt_ids, n) -> the tokens of greedy `model.generate` on the shared tiny model."""
    return lambda prompt_ids, n: greedy_reference(tiny_model[0], prompt_ids, n)


@pytest.fixture
def http_server():
    """http_server(app) -> a started `LiveServer` (url, port), stopped at teardown."""
    servers = []

    def start(app) -> LiveServer:
        server = LiveServer(app).__enter__()
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.__exit__()


@pytest.fixture
def eventually():
    """eventually(predicate, timeout=5) -> bool: poll until the predicate holds."""
    return wait_until
