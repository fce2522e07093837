"""OpenAPI post-processing (drf-spectacular ``POSTPROCESSING_HOOKS``): every operation documents the refusals of the
one error convention (``academy.errors``) with the shared ``Error`` schema, so clients and the schema fuzzer
(tests/academy/test_schema_fuzz.py) know every status an endpoint may answer."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": "A refusal: machine code, a sentence for people, and field errors for bad input.",
    "properties": {
        "code": {"type": "string", "example": "not_found"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {}, "description": "{field: [message, ...]} on 400"},
    },
    "required": ["code", "detail"],
}
COMMON = {
    "400": "bad input (field errors under errors)",
    "401": "not signed in (token authentication)",
    "403": "not signed in, or not allowed",
    "404": "no such thing, or not yours to see",
    "405": "method not allowed",
    "406": "cannot produce the requested content type",
    "415": "unsupported request content type",
    "409": "not possible in the current state",
    "429": "too many requests (Retry-After says when to retry)",
}
REF = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def document_errors(result, generator, request, public):
    """Add the ``Error`` component and the common error responses to every operation (keeping existing descriptions)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for ops in result.get("paths", {}).values():
        for method, op in ops.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for status, description in COMMON.items():
                resp = op["responses"].setdefault(status, {"description": description})
                if int(status) >= 400 and "content" not in resp:
                    resp["content"] = REF
            for status, resp in op["responses"].items():
                if status.startswith(("4", "5")) and "content" not in resp:
                    resp["content"] = REF
    return result
