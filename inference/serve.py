"""OpenAI-compatible HTTP server for an inference engine.

    python -m inference.serve --model PATH [--adapter PATH] [--lora NAME=DIR ...] [--device cpu|cuda] [--dtype bf16]
                              [--host 127.0.0.1 --port 8001] [--scripted FILE]

Endpoints: ``POST /v1/chat/completions`` (``stream: true`` → server-sent events, one ``data: {chunk}`` per delta and
a final ``data: [DONE]``; otherwise one JSON object; ``logprobs``/``top_logprobs`` as in the OpenAI API; the request's
``model`` picks the base model or one of the ``--lora`` adapters), ``GET /v1/models``, ``GET /health`` and ``GET /metrics`` (Prometheus text format). A client that disconnects cancels
its request, which frees its batch slot. Errors use the OpenAI error object: 400 for an invalid body, 404 for an
unknown model name, 503 when the queue is full or the engine is down.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .base import EngineBase
from .errors import EngineClosedError, EngineOverloadedError, InvalidRequestError
from .metrics import WorkerMetrics
from .protocol import (
    RequestValidationError,
    chunk,
    completion_body,
    delta_chunk,
    error_body,
    finish_reason_for_client,
    new_completion_id,
    parse_chat_request,
    usage_chunk,
)
from .stream import RequestStream
from .types import Completion

log = logging.getLogger(__name__)


def _sse(obj) -> bytes:
    return f"data: {json.dumps(obj, separators=(',', ':'), ensure_ascii=False)}\n\n".encode()


class _DisconnectAwareStream(StreamingResponse):
    """A StreamingResponse that always watches for the client going away (whatever the ASGI spec version), so an
    abandoned request is cancelled at once rather than at its next write."""

    async def __call__(self, scope, receive, send) -> None:
        async with anyio.create_task_group() as tg:

            async def run() -> None:
                try:
                    await self.stream_response(send)
                except OSError:
                    pass
                tg.cancel_scope.cancel()

            tg.start_soon(run)
            await self.listen_for_disconnect(receive)
            tg.cancel_scope.cancel()


def _error(status: int, message: str, **kw) -> JSONResponse:
    return JSONResponse(error_body(message, **kw), status_code=status)


def create_app(
    engine: EngineBase, *, model_name: str | None = None, default_max_tokens: int = 512, close_engine_on_shutdown: bool = False
) -> Starlette:
    """The Starlette app serving `engine` (already started). `model_name` is what /v1/models lists."""
    name = model_name or engine.model_name
    metrics = WorkerMetrics(engine)

    async def chat_completions(request: Request) -> Response:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            return _error(400, "the request body is not valid JSON")
        try:
            req = parse_chat_request(body, default_max_tokens=default_max_tokens)
        except RequestValidationError as exc:
            return _error(400, str(exc), param=exc.param)
        served = _served(engine, name)
        if req.model and req.model not in served:
            return _error(
                404, f"the model {req.model!r} does not exist; this server serves {served}", param="model", code="model_not_found"
            )
        model_out = req.model or name
        adapter = {"adapter": _adapter_for(engine, req.model, name)} if getattr(engine, "adapters", ()) else {}
        try:
            stream = engine.submit(req.messages, req.params, **adapter)
        except InvalidRequestError as exc:
            return _error(400, str(exc))
        except EngineOverloadedError as exc:
            return _error(503, str(exc), type_="server_overloaded")
        except EngineClosedError as exc:
            return _error(503, str(exc), type_="server_error")
        completion_id = new_completion_id()
        if req.stream:
            return _DisconnectAwareStream(
                _event_stream(stream, completion_id, model_out, req.params.wants_logprobs, req.include_usage),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        return await _whole_answer(request, stream, completion_id, model_out, req.params.wants_logprobs)

    async def models(request: Request) -> Response:
        data = [{"id": m, "object": "model", "created": int(started), "owned_by": "academy"} for m in _served(engine, name)]
        return JSONResponse({"object": "list", "data": data})

    async def health(request: Request) -> Response:
        ok = engine.alive
        return JSONResponse(
            {
                "status": "ok" if ok else "down",
                "model": name,
                "queue_depth": engine.queue_depth,
                "active_sequences": engine.active_sequences,
            },
            status_code=200 if ok else 503,
        )

    async def metrics_endpoint(request: Request) -> Response:
        return Response(metrics.render(), media_type=metrics.content_type)

    @asynccontextmanager
    async def lifespan(app):
        yield
        if close_engine_on_shutdown:
            engine.close()

    started = time.time()
    app = Starlette(
        routes=[
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.metrics = metrics
    return app


def _served(engine, name: str) -> list[str]:
    """Model names this server answers to: the base model's, then one per LoRA adapter (per-course assistants)."""
    return [name, *getattr(engine, "adapters", ())]


def _adapter_for(engine, requested: str | None, name: str) -> str | None:
    return None if not requested or requested == name else requested


async def _event_stream(stream: RequestStream, completion_id: str, model: str, want_logprobs: bool, include_usage: bool):
    created = int(time.time())
    try:
        yield _sse(chunk(completion_id, created, model, delta={"role": "assistant", "content": ""}))
        async for d in stream:
            piece = delta_chunk(completion_id, created, model, d, want_logprobs)
            if piece is not None:
                yield _sse(piece)
            if d.finish_reason is None:
                continue
            if d.finish_reason in ("error", "cancelled"):
                yield _sse(error_body(d.error or f"generation {d.finish_reason}", type_="server_error"))
            else:
                yield _sse(
                    chunk(completion_id, created, model, delta={}, finish_reason=finish_reason_for_client(d.finish_reason))
                )
                if include_usage:
                    yield _sse(usage_chunk(completion_id, created, model, d.prompt_tokens or 0, d.completion_tokens or 0))
        yield b"data: [DONE]\n\n"
    finally:
        stream.cancel()  # no-op when finished; frees the slot when the client went away


async def _whole_answer(request: Request, stream: RequestStream, completion_id: str, model: str, want_logprobs: bool) -> Response:
    task = asyncio.ensure_future(stream.collect())

    async def watch() -> None:  # cancel the generation if the client hangs up while we wait
        while not task.done():
            message = await request.receive()
            if message["type"] == "http.disconnect":
                stream.cancel()
                return

    watcher = asyncio.ensure_future(watch())
    try:
        completion: Completion = await task
    finally:
        watcher.cancel()
    if completion.finish_reason in ("error", "cancelled"):
        return _error(
            500 if completion.finish_reason == "error" else 503,
            completion.error or f"generation {completion.finish_reason}",
            type_="server_error",
        )
    return JSONResponse(completion_body(completion_id, model, completion, want_logprobs))


# ---------------------------------------------------------------------- command line
def build_engine(args) -> EngineBase:
    """The engine described by the command-line arguments (started)."""
    if args.scripted:
        from .testing.scripted import ScriptedEngine

        return ScriptedEngine.from_file(args.scripted).start()
    import torch

    from .engine import Engine

    if args.threads:
        torch.set_num_threads(args.threads)
    return Engine.from_pretrained(
        args.model,
        device=args.device,
        dtype=args.dtype,
        adapter_path=args.adapter,
        adapters=dict(_lora_arg(x) for x in args.lora) or None,
        max_batch_size=args.max_batch_size,
        max_queue=args.max_queue,
        max_prefill_tokens=args.max_prefill_tokens,
        prefix_cache_bytes=args.prefix_cache_mib << 20,
        **({"model_name": args.served_model_name} if args.served_model_name else {}),
    ).start()


def _lora_arg(text: str) -> tuple[str, str]:
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise SystemExit(f"error: --lora expects NAME=DIR, got {text!r}")
    return name, path


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m inference.serve", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", help="local Hugging Face checkpoint directory (causal LM with a chat template)")
    p.add_argument("--adapter", help="LoRA adapter directory (peft), merged into the model")
    p.add_argument(
        "--lora",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="serve a LoRA adapter under model name NAME, unmerged (repeatable: several courses, one base in memory)",
    )
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default cpu)")
    p.add_argument("--dtype", default=None, help="float32 | bfloat16 | float16 (default: fp32 on CPU, bf16 on CUDA)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--scripted", metavar="FILE", help="serve canned replies from a JSON script instead of a model")
    p.add_argument("--served-model-name", help="name listed by /v1/models (default: the model directory's name)")
    p.add_argument("--max-batch-size", type=int, default=32, help="sequences decoded together (default 32)")
    p.add_argument("--max-queue", type=int, default=1024, help="waiting requests before 503 (default 1024)")
    p.add_argument(
        "--max-prefill-tokens", type=int, default=2048, help="prompt tokens computed per step (prefix-cache hits not counted)"
    )
    p.add_argument(
        "--prefix-cache-mib",
        type=int,
        default=256,
        help="memory for the automatic prefix cache's keys/values, MiB (0 = off; default 256)",
    )
    p.add_argument("--max-tokens-default", type=int, default=512, help="max_tokens when a request omits it")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (default: torch's choice)")
    p.add_argument("--log-level", default="info")
    args = p.parse_args(argv)
    if not args.model and not args.scripted:
        p.error("one of --model or --scripted is required")
    return args


def main(argv=None) -> None:
    import uvicorn

    from .errors import InferenceError

    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        engine = build_engine(args)
    except InferenceError as exc:
        raise SystemExit(f"error: {exc}")
    app = create_app(
        engine, model_name=args.served_model_name, default_max_tokens=args.max_tokens_default, close_engine_on_shutdown=True
    )
    log.info("serving %s on http://%s:%d/v1", engine.model_name, args.host, args.port)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level.lower())


if __name__ == "__main__":
    main()
