"""A course *document*: a package held in memory, in the package's own data shape (docs/course-format.md).

``{"course": <course.yaml data>, "modules": {folder: <module.yaml data>}, "bodies": {"<folder>/<file>.md": Markdown}}``

Pure functions, no Django: read/write a package folder, validate (the package validator itself, through
``courses.package.package_from_document``), locate steps and concepts, and the edits the studio offers. Every edit
returns a new document (the input is never mutated), so a refused save leaves the stored draft untouched.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
from pathlib import Path

import yaml

from courses.package import CourseFormatError, CoursePackage, PackageError, package_from_document

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class EditError(ValueError):
    """An edit that cannot apply (unknown step, a slug already taken, ...); ``field`` names the form field."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.field = field


# ------------------------------------------------------------------------------------------------ files <-> document
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    pass


def _str(dumper, value: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def dump_yaml(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


def read_folder(path: str | Path) -> dict:
    """The document of the package folder at ``path`` (not validated; raises OSError / yaml.YAMLError)."""
    root = Path(path)
    course = yaml.load((root / "course.yaml").read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe loader
    modules, bodies = {}, {}
    for folder in course.get("modules", []):
        data = yaml.load((root / "modules" / folder / "module.yaml").read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
        modules[folder] = data
        for s in data.get("steps", []) or []:
            body = root / "modules" / folder / s["body"]
            if body.is_file():
                bodies[f"{folder}/{s['body']}"] = body.read_text(encoding="utf-8")
    return {"course": course, "modules": modules, "bodies": bodies}


def files(doc: dict) -> dict[str, str]:
    """The package's files as ``{relative path: text}``, in package order."""
    out = {"course.yaml": dump_yaml(doc["course"])}
    for folder in doc["course"].get("modules", []):
        data = doc["modules"].get(folder)
        if data is None:
            continue
        out[f"modules/{folder}/module.yaml"] = dump_yaml(data)
        for s in data.get("steps", []):
            key = f"{folder}/{s['body']}"
            if key in doc["bodies"]:
                out[f"modules/{key}"] = doc["bodies"][key]
    return out


def _changed_files(old: dict, new: dict) -> tuple[dict[str, str], dict[str, str]]:
    """The package files of each document, dumped only where their data differ (dumping YAML is the slow part)."""

    def parts(doc):
        out = {"course.yaml": doc["course"]}
        for folder in doc["course"].get("modules", []):
            if folder in doc["modules"]:
                out[f"modules/{folder}/module.yaml"] = doc["modules"][folder]
        out.update({f"modules/{k}": v for k, v in doc["bodies"].items()})
        return out

    pa, pb = parts(old), parts(new)
    a, b = {}, {}
    for rel in list(dict.fromkeys([*pa, *pb])):
        x, y = pa.get(rel), pb.get(rel)
        if x == y:
            continue
        if x is not None:
            a[rel] = x if isinstance(x, str) else dump_yaml(x)
        if y is not None:
            b[rel] = y if isinstance(y, str) else dump_yaml(y)
    return a, b


def write_folder(doc: dict, path: str | Path) -> Path:
    """Write the document as a package folder under ``path``; returns the folder."""
    root = Path(path)
    for rel, text in files(doc).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def digest(doc: dict) -> str:
    """SHA-256 (hex) of the document's canonical JSON: equal documents, equal digests."""
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def validate(doc: dict, previous: dict | None = None) -> CoursePackage:
    """The validated package of ``doc`` (raises CourseFormatError with every error). Modules equal to those of
    ``previous`` (a document that validated) skip the per-file schema pass; all cross-file checks always run."""
    if not isinstance(doc, dict) or not {"course", "modules", "bodies"} <= set(doc):
        raise CourseFormatError([PackageError("document", None, "a document needs 'course', 'modules' and 'bodies'")])
    trusted = frozenset()
    if previous is not None:
        trusted = frozenset(f for f, m in doc["modules"].items() if previous.get("modules", {}).get(f) == m)
    return package_from_document(doc, trusted_modules=trusted)


# ------------------------------------------------------------------------------------------------------- reading
def ordered_modules(doc: dict) -> list[tuple[str, dict]]:
    return [(f, doc["modules"][f]) for f in doc["course"].get("modules", []) if f in doc["modules"]]


def find_step(doc: dict, slug: str) -> tuple[str, int, dict]:
    """(folder, index in the module, step data) of step ``slug``; raises EditError."""
    for folder, m in ordered_modules(doc):
        for i, s in enumerate(m.get("steps", [])):
            if s["slug"] == slug:
                return folder, i, s
    raise EditError(f"no step {slug!r} in the draft")


def step_body(doc: dict, folder: str, step: dict) -> str:
    return doc["bodies"].get(f"{folder}/{step['body']}", "")


def concepts(doc: dict) -> list[tuple[str, dict]]:
    """(folder, concept data) in ramp order."""
    return [(f, c) for f, m in ordered_modules(doc) for c in m.get("concepts", []) or []]


def introducing_step(doc: dict) -> dict[str, str]:
    """{concept slug: slug of the first step that lists it}."""
    out: dict[str, str] = {}
    for _f, m in ordered_modules(doc):
        for s in m.get("steps", []):
            for c in s.get("concepts", []) or []:
                out.setdefault(c, s["slug"])
    return out


def _all_slugs(doc: dict, kind: str) -> set[str]:
    if kind == "step":
        return {s["slug"] for _f, m in ordered_modules(doc) for s in m.get("steps", [])}
    if kind == "concept":
        return {c["slug"] for _f, c in concepts(doc)}
    return {p["slug"] for _f, m in ordered_modules(doc) for s in m.get("steps", []) for p in s.get("problems", []) or []}


# ------------------------------------------------------------------------------------------------------- edits
def _clone(doc: dict, folders=(), *, course: bool = False) -> dict:
    """A copy of ``doc`` that shares every part except the named modules (and the course head when ``course``),
    which are deep-copied so the edit can change them: edits cost what they touch, not the whole course."""
    new = {
        "course": copy.deepcopy(doc["course"]) if course else doc["course"],
        "modules": dict(doc["modules"]),
        "bodies": dict(doc["bodies"]),
    }
    for f in folders:
        if f in doc["modules"]:
            new["modules"][f] = copy.deepcopy(doc["modules"][f])
    return new


def _folder_of_step(doc: dict, slug: str) -> str:
    return find_step(doc, slug)[0]


def _folder_of_concept(doc: dict, slug: str) -> str | None:
    return next((f for f, c in concepts(doc) if c["slug"] == slug), None)


def _free_body_name(doc: dict, folder: str, wanted: str) -> str:
    name, n = wanted, 2
    while f"{folder}/{name}" in doc["bodies"]:
        name = wanted.removesuffix(".md") + f"-{n}.md"
        n += 1
    return name


def reorder(doc: dict, order: list[list[str]]) -> dict:
    """Steps rearranged: ``order[i]`` lists the step slugs of the i-th module (ramp order), every step exactly once.
    A step moved to another module takes its body file along."""
    new = _clone(doc)
    new["modules"] = {f: dict(m) for f, m in new["modules"].items()}
    mods = ordered_modules(new)
    if len(order) != len(mods):
        raise EditError(f"the order names {len(order)} modules; the draft has {len(mods)}")
    named = [s for group in order for s in group]
    current = sorted(_all_slugs(doc, "step"))
    if sorted(named) != current:
        raise EditError("the order must name every step of the draft exactly once")
    where = {}
    for folder, m in mods:
        for s in m["steps"]:
            where[s["slug"]] = (folder, s)
    bodies = dict(new["bodies"])
    for (folder, m), group in zip(mods, order, strict=True):
        m["steps"] = []
        for slug in group:
            old_folder, s = where[slug]
            if old_folder != folder:
                s = dict(s)
                text = bodies.pop(f"{old_folder}/{s['body']}", "")
                s["body"] = _free_body_name({"bodies": bodies}, folder, s["body"])
                bodies[f"{folder}/{s['body']}"] = text
            m["steps"].append(s)
    new["bodies"] = bodies
    return new


def move_step(doc: dict, slug: str, delta: int) -> dict:
    """Step ``slug`` one place up (``delta`` -1) or down (+1) the ramp, crossing into the neighbouring module at its
    module's edge (the keyboard alternative to drag-and-drop)."""
    order = [[s["slug"] for s in m["steps"]] for _f, m in ordered_modules(doc)]
    for mi, group in enumerate(order):
        if slug in group:
            i = group.index(slug)
            j = i + delta
            if 0 <= j < len(group):
                group[i], group[j] = group[j], group[i]
            elif 0 <= mi + delta < len(order):
                group.pop(i)
                target = order[mi + delta]
                target.insert(len(target) if delta < 0 else 0, slug)
            else:
                raise EditError(f"step {slug!r} is already at the {'start' if delta < 0 else 'end'} of the ramp")
            return reorder(doc, order)
    raise EditError(f"no step {slug!r} in the draft")


def move_module(doc: dict, folder: str, delta: int) -> dict:
    """Module ``folder`` one place earlier (``delta`` -1) or later (+1) in the course."""
    order = list(doc["course"].get("modules", []))
    if folder not in order:
        raise EditError(f"no module {folder!r} in the draft")
    i = order.index(folder)
    j = i + delta
    if not 0 <= j < len(order):
        raise EditError(f"module {folder!r} is already the {'first' if delta < 0 else 'last'} one")
    order[i], order[j] = order[j], order[i]
    new = _clone(doc, course=True)
    new["course"]["modules"] = order
    return new


def add_step(doc: dict, *, folder: str, slug: str, title: str, kind: str = "lesson") -> dict:
    """A new step at the end of module ``folder``, with a body holding its title."""
    new = _clone(doc, [folder])
    if folder not in new["modules"]:
        raise EditError(f"no module {folder!r} in the draft", "folder")
    if slug in _all_slugs(doc, "step"):
        raise EditError(f"a step {slug!r} already exists", "slug")
    m = new["modules"][folder]
    body = _free_body_name(new, folder, f"{len(m['steps']) + 1:02d}-{slug}.md")
    m["steps"].append({"slug": slug, "title": title, "kind": kind, "body": body, "concepts": []})
    new["bodies"][f"{folder}/{body}"] = f"# {title}\n"
    return new


def archive_step(doc: dict, slug: str) -> dict:
    """The draft without step ``slug`` (publishing archives it: students' attempts stay in the database)."""
    new = _clone(doc, [_folder_of_step(doc, slug)])
    folder, i, s = find_step(new, slug)
    new["modules"][folder]["steps"].pop(i)
    new["bodies"].pop(f"{folder}/{s['body']}", None)
    return new


def update_step(doc: dict, slug: str, *, title: str, kind: str, body: str, concepts: list[str], problems: list[dict]) -> dict:
    """Step ``slug`` with new fields; ``problems`` are raw problem mappings in the package shape, in order."""
    new = _clone(doc, [_folder_of_step(doc, slug)])
    folder, i, s = find_step(new, slug)
    s.update(title=title, kind=kind, concepts=list(concepts))
    if problems:
        s["problems"] = problems
    else:
        s.pop("problems", None)
    new["bodies"][f"{folder}/{s['body']}"] = body
    return new


def add_module(doc: dict, *, folder: str, slug: str, title: str, first_step_slug: str, first_step_title: str) -> dict:
    """A new module at the end of the course with one lesson step (a module needs at least one)."""
    new = _clone(doc, course=True)
    if folder in new["modules"] or folder in new["course"]["modules"]:
        raise EditError(f"a module folder {folder!r} already exists", "folder")
    if slug in {m.get("slug") for m in new["modules"].values()}:
        raise EditError(f"a module {slug!r} already exists", "slug")
    new["course"]["modules"].append(folder)
    new["modules"][folder] = {"slug": slug, "title": title, "concepts": [], "steps": []}
    return add_step(new, folder=folder, slug=first_step_slug, title=first_step_title)


def rename(doc: dict, *, kind: str, key: str, title: str) -> dict:
    """A module (``key`` = folder) or step (``key`` = slug) retitled."""
    if kind == "module":
        new = _clone(doc, [key])
        if key not in new["modules"]:
            raise EditError(f"no module {key!r} in the draft")
        new["modules"][key]["title"] = title
    else:
        new = _clone(doc, [_folder_of_step(doc, key)])
        find_step(new, key)[2]["title"] = title
    return new


def archive_module(doc: dict, folder: str) -> dict:
    new = _clone(doc, course=True)
    if folder not in new["modules"]:
        raise EditError(f"no module {folder!r} in the draft")
    m = new["modules"].pop(folder)
    new["course"]["modules"] = [f for f in new["course"]["modules"] if f != folder]
    for s in m.get("steps", []):
        new["bodies"].pop(f"{folder}/{s['body']}", None)
    return new


def upsert_concept(
    doc: dict, *, folder: str, slug: str, name: str, description: str = "", prerequisites: list[str] = (), original: str = ""
) -> dict:
    """Add concept ``slug`` to module ``folder`` or, with ``original`` (its current slug), change it in place."""
    new = _clone(doc, [folder, _folder_of_concept(doc, original)])
    if folder not in new["modules"]:
        raise EditError(f"no module {folder!r} in the draft", "folder")
    entry = {"slug": slug, "name": name, "description": description, "prerequisites": list(prerequisites)}
    if original:
        for f, m in ordered_modules(new):
            for i, c in enumerate(m.get("concepts", []) or []):
                if c["slug"] == original:
                    if f == folder:
                        m["concepts"][i] = entry
                    else:
                        m["concepts"].pop(i)
                        new["modules"][folder].setdefault("concepts", []).append(entry)
                    return new
        raise EditError(f"no concept {original!r} in the draft")
    if slug in _all_slugs(doc, "concept"):
        raise EditError(f"a concept {slug!r} already exists", "slug")
    new["modules"][folder].setdefault("concepts", []).append(entry)
    return new


def archive_concept(doc: dict, slug: str) -> dict:
    new = _clone(doc, [_folder_of_concept(doc, slug)])
    for _f, m in ordered_modules(new):
        before = m.get("concepts", []) or []
        m["concepts"] = [c for c in before if c["slug"] != slug]
        if len(m["concepts"]) != len(before):
            return new
    raise EditError(f"no concept {slug!r} in the draft")


# ----------------------------------------------------------------------------------------------- changes and diffs
def summarize(old: dict, new: dict) -> list[str]:
    """Human-readable change lines from ``old`` to ``new``: modules, steps, concepts and problems added, removed,
    moved or edited."""
    lines: list[str] = []

    def index(doc):
        mods, steps, cons, probs = {}, {}, {}, {}
        pos = 0
        for folder, m in ordered_modules(doc):
            mods[folder] = {k: v for k, v in m.items() if k not in ("steps", "concepts")}
            for c in m.get("concepts", []) or []:
                cons[c["slug"]] = (folder, c)
            for s in m.get("steps", []):
                pos += 1
                steps[s["slug"]] = (pos, {k: v for k, v in s.items() if k not in ("problems", "body")}, step_body(doc, folder, s))
                for p in s.get("problems", []) or []:
                    probs[p["slug"]] = (s["slug"], p)
        return mods, steps, cons, probs

    if old["course"] != new["course"] and {k: v for k, v in old["course"].items() if k != "modules"} != {
        k: v for k, v in new["course"].items() if k != "modules"
    }:
        lines.append("course details edited")
    (om, os_, oc, op), (nm, ns, nc, np_) = index(old), index(new)
    for label, o, n in (("module", om, nm), ("concept", oc, nc), ("problem", op, np_)):
        for k in n.keys() - o.keys():
            lines.append(f"{label} {k!r} added")
        for k in o.keys() - n.keys():
            lines.append(f"{label} {k!r} archived")
        for k in n.keys() & o.keys():
            if n[k] != o[k]:
                lines.append(f"{label} {k!r} edited")
    for k in ns.keys() - os_.keys():
        lines.append(f"step {k!r} added")
    for k in os_.keys() - ns.keys():
        lines.append(f"step {k!r} archived")
    for k in ns.keys() & os_.keys():
        (op_, ofields, obody), (np2, nfields, nbody) = os_[k], ns[k]
        if op_ != np2:
            lines.append(f"step {k!r} moved from place {op_} to {np2}")
        if ofields != nfields or obody != nbody:
            lines.append(f"step {k!r} edited")
    if not lines and old != new:
        lines.append("layout changed")
    return sorted(lines, key=lambda s: (s.split(" ")[0], s))


def diff(old: dict, new: dict, *, old_label: str = "a", new_label: str = "b") -> str:
    """Unified diff of the two documents' package files (empty when equal)."""
    a, b = _changed_files(old, new)
    out = []
    for rel in list(dict.fromkeys([*a, *b])):
        if a.get(rel) != b.get(rel):
            out.extend(
                difflib.unified_diff(
                    (a.get(rel) or "").splitlines(keepends=True),
                    (b.get(rel) or "").splitlines(keepends=True),
                    fromfile=f"{old_label}/{rel}",
                    tofile=f"{new_label}/{rel}",
                )
            )
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)
