"""JSON Schema (draft 2020-12) of the course package files; see docs/course-format.md."""

SLUG = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}
SLUGS = {"type": "array", "items": SLUG}
TEXT = {"type": "string", "minLength": 1}

COURSE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "course.yaml",
    "type": "object",
    "required": ["slug", "title", "summary", "modules"],
    "additionalProperties": False,
    "properties": {
        "slug": SLUG,
        "title": TEXT,
        "summary": TEXT,
        "description": {"type": "string"},
        "target_success": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "modules": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[A-Za-z0-9._-]+$"}},
    },
}

CONCEPT_SCHEMA = {
    "type": "object",
    "required": ["slug", "name"],
    "additionalProperties": False,
    "properties": {"slug": SLUG, "name": TEXT, "description": {"type": "string"}, "prerequisites": SLUGS},
}

# A ``code`` problem: files are {relative path: text}; tests are modules of ``test_*`` functions (plain asserts).
FILE_NAME = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*\.py$"}
FILES = {"type": "object", "minProperties": 1, "propertyNames": FILE_NAME, "additionalProperties": {"type": "string"}}
TEST_FILES = {**FILES, "propertyNames": {"type": "string", "pattern": r"^test_[A-Za-z0-9_]*\.py$"}}
CODE_PROPERTIES = {
    "files": FILES,
    "tests": TEST_FILES,
    "hidden_tests": TEST_FILES,
    "reference": FILES,
    "imports": {"type": "array", "items": {"enum": ["numpy", "torch"]}, "uniqueItems": True},
    "limits": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "time_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 60},
            "memory_mb": {"type": "integer", "minimum": 32, "maximum": 4096},
        },
    },
}

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["slug", "kind", "concepts", "difficulty", "prompt", "hints", "solution"],
    "additionalProperties": False,
    "properties": {
        "slug": SLUG,
        "kind": {"enum": ["numeric", "choice", "text", "code_output", "code"]},
        "concepts": {**SLUGS, "minItems": 1},
        "difficulty": {"type": "number", "minimum": 0, "maximum": 1},
        "prompt": TEXT,
        "answer": {},
        "tolerance": {"type": "number", "minimum": 0},
        "relative_tolerance": {"type": "number", "minimum": 0},
        "options": {
            "type": "array",
            "minItems": 2,
            "items": {
                "type": "object",
                "required": ["text", "correct"],
                "additionalProperties": False,
                "properties": {"text": TEXT, "correct": {"type": "boolean"}},
            },
        },
        "accepted": {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]}},
        "code": {"type": "string"},
        "check": {"type": "string"},
        "unverifiable": TEXT,
        **CODE_PROPERTIES,
        "hints": {"type": "array", "items": TEXT},
        "solution": TEXT,
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "allOf": [
        {"if": {"properties": {"kind": {"const": "numeric"}}}, "then": {"required": ["answer"]}},
        {"if": {"properties": {"kind": {"const": "choice"}}}, "then": {"required": ["options"]}},
        {"if": {"properties": {"kind": {"const": "text"}}}, "then": {"required": ["accepted"]}},
        {"if": {"properties": {"kind": {"const": "code"}}}, "then": {"required": ["files", "tests"]}},
        {
            "if": {"properties": {"kind": {"const": "code_output"}}},
            "then": {"required": ["code", "answer"], "properties": {"answer": {"type": ["string", "number"]}}},
        },
    ],
}

STEP_SCHEMA = {
    "type": "object",
    "required": ["slug", "title", "kind", "body"],
    "additionalProperties": False,
    "properties": {
        "slug": SLUG,
        "title": TEXT,
        "kind": {"enum": ["lesson", "exercise", "project"]},
        "body": {"type": "string", "pattern": r"^[A-Za-z0-9._-]+\.md$"},
        "concepts": SLUGS,
        "problems": {"type": "array", "items": PROBLEM_SCHEMA},
    },
}

MODULE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "module.yaml",
    "type": "object",
    "required": ["slug", "title", "steps"],
    "additionalProperties": False,
    "properties": {
        "slug": SLUG,
        "title": TEXT,
        "summary": {"type": "string"},
        "concepts": {"type": "array", "items": CONCEPT_SCHEMA},
        "steps": {"type": "array", "minItems": 1, "items": STEP_SCHEMA},
    },
}
