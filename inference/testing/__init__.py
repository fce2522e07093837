"""Test doubles for the inference layer: `tiny` builds offline tiny chat models (and GGUF files) for tests and
benchmarks; `scripted` is an engine that streams canned replies through the real interfaces."""
