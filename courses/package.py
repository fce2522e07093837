"""Course packages: load and validate a folder of YAML + Markdown (docs/course-format.md) into plain dataclasses.

No Django here: ``python -m courses.package PATH`` validates a package from the shell, and
``courses.services.import_course`` turns a loaded package into database rows.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import fastjsonschema
import yaml
from jsonschema import Draft202012Validator

from . import yaml_lines
from .package_schema import COURSE_SCHEMA, MODULE_SCHEMA


@dataclass(frozen=True)
class PackageError:
    """One problem in a package: ``file`` relative to the package root, ``line`` 1-based or None."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class CourseFormatError(Exception):
    """A package failed validation; ``errors`` lists every :class:`PackageError` found (never just the first)."""

    def __init__(self, errors: list[PackageError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s) in course package:\n" + "\n".join(str(e) for e in errors))


@dataclass
class ConceptSpec:
    slug: str
    name: str
    description: str = ""
    prerequisites: list[str] = field(default_factory=list)


@dataclass
class ProblemSpec:
    """A problem; ``answer`` holds the kind's grading data (see :func:`answer_spec`)."""

    slug: str
    kind: str
    concepts: list[str]
    difficulty: float
    prompt: str
    answer: dict
    hints: list[str]
    solution: str
    tags: list[str] = field(default_factory=list)
    check: str = ""
    unverifiable: str = ""


@dataclass
class StepSpec:
    slug: str
    title: str
    kind: str
    body_file: str
    body: str
    concepts: list[str] = field(default_factory=list)
    problems: list[ProblemSpec] = field(default_factory=list)


@dataclass
class ModuleSpec:
    folder: str
    slug: str
    title: str
    summary: str = ""
    concepts: list[ConceptSpec] = field(default_factory=list)
    steps: list[StepSpec] = field(default_factory=list)


@dataclass
class CoursePackage:
    slug: str
    title: str
    summary: str
    description: str = ""
    target_success: float = 0.85
    modules: list[ModuleSpec] = field(default_factory=list)

    @property
    def concepts(self) -> list[ConceptSpec]:
        return [c for m in self.modules for c in m.concepts]

    @property
    def steps(self) -> list[StepSpec]:
        return [s for m in self.modules for s in m.steps]

    @property
    def problems(self) -> list[ProblemSpec]:
        return [p for s in self.steps for p in s.problems]


ANSWER_KEYS = ("answer", "tolerance", "relative_tolerance", "options", "accepted", "code")
CODE_KEYS = ("files", "tests", "hidden_tests", "reference", "imports", "limits")


def answer_spec(raw: dict) -> dict:
    """The grading data of a raw problem mapping: numeric {answer, tolerance|relative_tolerance}, choice {options},
    text {accepted}, code_output {code, answer}, code {files, tests, hidden_tests, reference, imports, limits}."""
    if raw.get("kind") == "code":
        spec = {k: raw[k] for k in CODE_KEYS if k in raw}
        spec["files"], spec["tests"] = dict(raw["files"]), dict(raw["tests"])
        for key in ("hidden_tests", "reference"):
            spec[key] = dict(raw.get(key) or {})
        spec["imports"] = list(raw.get("imports") or [])
        spec["limits"] = dict(raw.get("limits") or {})
        return spec
    spec = {k: raw[k] for k in ANSWER_KEYS if k in raw}
    if "options" in spec:
        spec["options"] = [{"text": o["text"], "correct": bool(o["correct"])} for o in spec["options"]]
    if raw.get("kind") == "numeric" and isinstance(spec.get("answer"), str):
        spec["answer"] = _as_number(spec["answer"])
    if raw.get("kind") == "code_output" and "answer" in spec:
        spec["answer"] = str(spec["answer"])
    if "accepted" in spec:
        spec["accepted"] = [str(a) for a in spec["accepted"]]
    return spec


def _as_number(value):
    """A YAML string that spells a number (PyYAML reads ``7.44e18`` as a string) as a float; else unchanged."""
    try:
        number = float(str(value).replace("_", ""))
    except ValueError:
        return value
    return number if math.isfinite(number) else value


class _Collector:
    def __init__(self):
        self.errors: list[PackageError] = []

    def add(self, file: str, line: int | None, message: str) -> None:
        self.errors.append(PackageError(file, line, message))

    def read_yaml(self, root: Path, rel: str):
        path = root / rel
        if not path.is_file():
            self.add(rel, None, "file not found")
            return None
        try:
            return yaml_lines.load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            self.add(rel, mark.line + 1 if mark else None, f"unparseable YAML: {getattr(exc, 'problem', exc)}")
        except UnicodeDecodeError as exc:
            self.add(rel, None, f"not UTF-8 text: {exc}")
        return None

    def schema(self, rel: str, data, schema: dict) -> bool:
        if _fast_valid(schema, data):
            return True  # the compiled check agrees on valid data; jsonschema below words the errors
        ok = True
        for err in sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(map(str, e.path))):
            path = list(err.path)
            where = "/".join(str(p) for p in path) or "top level"
            msg = err.message
            if err.validator == "required":
                msg = f"missing required field {msg.split(' is a required')[0]}"
            elif err.validator == "additionalProperties":
                msg = f"unknown field: {msg.split('(')[-1].rstrip(')')}"
            self.add(rel, yaml_lines.line_of(data, path), f"{where}: {msg}")
            ok = False
        return ok


class _Folder:
    """Package files read from a folder on disk."""

    def __init__(self, root: Path):
        self.root = root

    def yaml(self, col: _Collector, rel: str):
        return col.read_yaml(self.root, rel)

    def exists(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def text(self, rel: str) -> str | None:
        path = self.root / rel
        return path.read_text(encoding="utf-8") if path.is_file() else None


class _Document:
    """Package files held in memory as a *document*: ``{"course": <course.yaml data>, "modules": {folder: <module.yaml
    data>}, "bodies": {"<folder>/<body file>": Markdown}}`` (the shape the authoring studio stores as a draft)."""

    def __init__(self, doc: dict):
        self.doc = doc

    def _data(self, rel: str):
        if rel == "course.yaml":
            return self.doc.get("course")
        folder = rel.removeprefix("modules/").removesuffix("/module.yaml")
        return (self.doc.get("modules") or {}).get(folder)

    def yaml(self, col: _Collector, rel: str):
        data = self._data(rel)
        if data is None:
            col.add(rel, None, "file not found")
        return data

    def exists(self, rel: str) -> bool:
        return self._data(rel) is not None

    def text(self, rel: str) -> str | None:
        return (self.doc.get("bodies") or {}).get(rel.removeprefix("modules/"))


_COMPILED: dict[int, object] = {}


def _fast_valid(schema: dict, data) -> bool:
    """True when ``data`` passes ``schema`` by fastjsonschema (the schema compiled to Python, ~10x faster than
    jsonschema's interpreter; our schemas use only keywords both read alike). False means: ask jsonschema."""
    check = _COMPILED.get(id(schema))
    if check is None:
        check = _COMPILED[id(schema)] = fastjsonschema.compile({k: v for k, v in schema.items() if k != "$schema"})
    try:
        check(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def load_package(path: str | Path) -> CoursePackage:
    """Load and validate the package folder at ``path``.

    Returns a :class:`CoursePackage`; raises :class:`CourseFormatError` listing every error (file and line) when
    anything is wrong — nothing partial is ever returned.
    """
    root = Path(path)
    if not root.is_dir():
        raise CourseFormatError([PackageError(str(path), None, "not a folder")])
    return _load(_Folder(root))


def package_from_document(doc: dict, *, trusted_modules: frozenset[str] = frozenset()) -> CoursePackage:
    """Validate an in-memory package *document* (see :class:`_Document`) exactly like :func:`load_package` validates a
    folder, and return the :class:`CoursePackage`; raises :class:`CourseFormatError` listing every error.

    ``trusted_modules``: folders whose module data is known to have passed the schema already (unchanged since the
    last validation); their JSON-Schema pass is skipped — the cross-file checks (slugs, prerequisites, ramp order,
    answers) always run on the whole course. Errors carry ``line`` None (a document has no lines).
    """
    return _load(_Document(doc), trusted_modules)


def _load(src, trusted_modules: frozenset[str] = frozenset()) -> CoursePackage:
    col = _Collector()
    course_raw = src.yaml(col, "course.yaml")
    if course_raw is None or not col.schema("course.yaml", course_raw, COURSE_SCHEMA):
        raise CourseFormatError(col.errors)
    pkg = CoursePackage(
        slug=course_raw["slug"],
        title=course_raw["title"],
        summary=course_raw["summary"],
        description=course_raw.get("description", "") or "",
        target_success=float(course_raw.get("target_success", 0.85)),
    )
    raw_modules = []
    for i, folder in enumerate(course_raw["modules"]):
        rel = f"modules/{folder}/module.yaml"
        data = src.yaml(col, rel)
        if data is None:
            if not src.exists(rel):
                col.errors[-1] = PackageError(
                    "course.yaml", yaml_lines.line_of(course_raw, ["modules", i]), f"module folder {folder!r}: {rel} not found"
                )
            continue
        if folder in trusted_modules or col.schema(rel, data, MODULE_SCHEMA):
            raw_modules.append((folder, rel, data))
    for folder, rel, data in raw_modules:
        pkg.modules.append(_build_module(src, folder, rel, data, col))
    if col.errors:
        raise CourseFormatError(col.errors)
    _check_semantics(pkg, raw_modules, course_raw, col)
    if col.errors:
        raise CourseFormatError(col.errors)
    return pkg


def _build_module(src, folder: str, rel: str, data, col: _Collector) -> ModuleSpec:
    module = ModuleSpec(folder=folder, slug=data["slug"], title=data["title"], summary=data.get("summary", "") or "")
    for c in data.get("concepts", []) or []:
        module.concepts.append(
            ConceptSpec(c["slug"], c["name"], c.get("description", "") or "", list(c.get("prerequisites", []) or []))
        )
    for s_i, s in enumerate(data["steps"]):
        body = src.text(f"modules/{folder}/{s['body']}")
        if body is None:
            body = ""
            col.add(
                rel, yaml_lines.line_of(data, ["steps", s_i, "body"]), f"step {s['slug']!r}: body file {s['body']!r} not found"
            )
        step = StepSpec(s["slug"], s["title"], s["kind"], s["body"], body, list(s.get("concepts", []) or []))
        for p in s.get("problems", []) or []:
            step.problems.append(
                ProblemSpec(
                    slug=p["slug"],
                    kind=p["kind"],
                    concepts=list(p["concepts"]),
                    difficulty=float(p["difficulty"]),
                    prompt=p["prompt"],
                    answer=answer_spec(p),
                    hints=list(p["hints"]),
                    solution=p["solution"],
                    tags=list(p.get("tags", []) or []),
                    check=p.get("check", "") or "",
                    unverifiable=p.get("unverifiable", "") or "",
                )
            )
        module.steps.append(step)
    return module


def _check_semantics(pkg: CoursePackage, raw_modules, course_raw, col: _Collector) -> None:
    line = yaml_lines.line_of
    seen: dict[str, dict[str, str]] = {"module": {}, "concept": {}, "step": {}, "problem": {}}

    def unique(kind: str, slug: str, rel: str, ln) -> None:
        if slug in seen[kind]:
            col.add(rel, ln, f"duplicate {kind} slug {slug!r} (first defined in {seen[kind][slug]})")
        else:
            seen[kind][slug] = f"{rel}:{ln}"

    concept_where: dict[str, tuple[str, int | None]] = {}
    for folder, rel, data in raw_modules:
        unique("module", data["slug"], rel, line(data, ["slug"]))
        for c_i, c in enumerate(data.get("concepts", []) or []):
            unique("concept", c["slug"], rel, line(data, ["concepts", c_i, "slug"]))
            concept_where.setdefault(c["slug"], (rel, line(data, ["concepts", c_i])))
        for s_i, s in enumerate(data["steps"]):
            unique("step", s["slug"], rel, line(data, ["steps", s_i, "slug"]))
            for p_i, p in enumerate(s.get("problems", []) or []):
                unique("problem", p["slug"], rel, line(data, ["steps", s_i, "problems", p_i, "slug"]))

    prereqs = {c.slug: c.prerequisites for c in pkg.concepts}
    for folder, rel, data in raw_modules:
        for c_i, c in enumerate(data.get("concepts", []) or []):
            for q_i, q in enumerate(c.get("prerequisites", []) or []):
                if q not in prereqs:
                    col.add(
                        rel,
                        line(data, ["concepts", c_i, "prerequisites", q_i]),
                        f"concept {c['slug']!r}: unknown prerequisite {q!r}",
                    )
    for cycle in _cycles(prereqs):
        rel, ln = concept_where[cycle[0]]
        col.add(rel, ln, "prerequisite cycle: " + " -> ".join(cycle + [cycle[0]]))

    introduced: set[str] = set()
    for folder, rel, data in raw_modules:
        for s_i, s in enumerate(data["steps"]):
            for c_i, c in enumerate(s.get("concepts", []) or []):
                ln = line(data, ["steps", s_i, "concepts", c_i])
                if c not in prereqs:
                    col.add(rel, ln, f"step {s['slug']!r}: unknown concept {c!r}")
                    continue
                missing = [q for q in prereqs[c] if q in prereqs and q not in introduced]
                if missing:
                    col.add(
                        rel,
                        ln,
                        f"step {s['slug']!r} practises {c!r} before its prerequisite(s) {', '.join(missing)} are introduced earlier in the ramp",
                    )
                introduced.add(c)
            for p_i, p in enumerate(s.get("problems", []) or []):
                _check_problem(p, rel, data, ["steps", s_i, "problems", p_i], prereqs, introduced, col)


def _check_problem(p, rel, data, path, prereqs, introduced, col: _Collector) -> None:
    line = yaml_lines.line_of
    slug = p["slug"]
    for c_i, c in enumerate(p["concepts"]):
        ln = line(data, path + ["concepts", c_i])
        if c not in prereqs:
            col.add(rel, ln, f"problem {slug!r}: unknown concept {c!r}")
        elif c not in introduced:
            col.add(rel, ln, f"problem {slug!r} practises {c!r}, which no step has taught at this point of the ramp")
    kind = p["kind"]
    if kind == "numeric":
        ans = _as_number(p["answer"]) if isinstance(p.get("answer"), str) else p.get("answer")
        if isinstance(ans, bool) or not isinstance(ans, (int, float)) or not math.isfinite(float(ans)):
            col.add(rel, line(data, path + ["answer"]), f"problem {slug!r}: numeric answer {ans!r} is not a number")
    if kind == "choice" and not any(o.get("correct") for o in p.get("options", [])):
        col.add(rel, line(data, path + ["options"]), f"problem {slug!r}: choice problem has no correct option")
    if kind == "code":
        _check_code_problem(p, rel, data, path, col)
    if kind in ("numeric", "code_output") and not (p.get("check") or p.get("code") or p.get("unverifiable")):
        col.add(rel, line(data, path), f"problem {slug!r}: {kind} answer needs `check` (or `unverifiable: reason`)")


def _check_code_problem(p, rel, data, path, col: _Collector) -> None:
    """Static checks of a code problem (running the reference and starter is ``courses.code_check``)."""
    line = yaml_lines.line_of
    slug = p["slug"]
    visible, hidden = set(p.get("tests") or {}), set(p.get("hidden_tests") or {})
    if visible & hidden:
        col.add(
            rel,
            line(data, path + ["hidden_tests"]),
            f"problem {slug!r}: test file(s) {sorted(visible & hidden)} are both visible and hidden",
        )
    reference = p.get("reference") or {}
    extra = set(reference) - set(p.get("files") or {})
    if extra:
        col.add(
            rel,
            line(data, path + ["reference"]),
            f"problem {slug!r}: reference file(s) {sorted(extra)} have no starter in `files`",
        )
    clash = (visible | hidden) & set(p.get("files") or {})
    if clash:
        col.add(rel, line(data, path + ["files"]), f"problem {slug!r}: {sorted(clash)} is both a student file and a test file")


def _cycles(prereqs: dict[str, list[str]]) -> list[list[str]]:
    """Every prerequisite cycle, each once, as a list of concept slugs (depth-first search, colouring)."""
    colour: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    seen_sets: set[frozenset] = set()

    def visit(node: str) -> None:
        colour[node] = 1
        stack.append(node)
        for nxt in prereqs.get(node, []):
            if nxt not in prereqs:
                continue
            if colour.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                key = frozenset(cycle)
                if key not in seen_sets:
                    seen_sets.add(key)
                    found.append(list(cycle))
            elif colour.get(nxt) is None:
                visit(nxt)
        stack.pop()
        colour[node] = 2

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    for node in prereqs:
        if node not in colour:
            visit(node)
    return found


def main(argv: list[str] | None = None) -> int:
    """CLI: ``python -m courses.package PATH`` prints every error (file:line: message); exit 1 if any."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m courses.package PATH", file=sys.stderr)
        return 2
    try:
        pkg = load_package(args[0])
    except CourseFormatError as exc:
        for err in exc.errors:
            print(err)
        print(f"{len(exc.errors)} error(s)")
        return 1
    print(
        f"0 errors: {pkg.slug}: {len(pkg.modules)} modules, {len(pkg.steps)} steps, {len(pkg.concepts)} concepts, {len(pkg.problems)} problems"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
