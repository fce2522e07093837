"""A copy of the example package with this issue's package fields: a try-first step, an explain-back problem, an
option and a numeric mistake carrying misconceptions. Built in a temporary folder; the example itself is untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "courses" / "packages" / "example"

EXPLAIN = {
    "slug": "why-normalise",
    "kind": "explain",
    "tags": ["explain-back"],
    "concepts": ["normalising"],
    "difficulty": 0.4,
    "prompt": "Explain it back: why do we divide each count by the row total?",
    "key_points": [
        {"point": "Dividing by the total makes the row sum to one.", "terms": ["sum to one", "sums to 1", "add up to one"]},
        {"point": "Each entry becomes the share of the total, a probability.", "terms": ["probability", "fraction", "share"]},
    ],
    "follow_up": "What would a row of all zeros do to this recipe?",
    "hints": ["What must the entries of a probability distribution add up to?"],
    "solution": "So that every row sums to one: each entry becomes its share of the total, a probability.",
}


def build(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest)
    counting = dest / "modules" / "01-counting" / "module.yaml"
    data = yaml.safe_load(counting.read_text())
    cells = data["steps"][0]["problems"][0]
    cells["mistakes"] = [
        {"answer": 6, "feedback": "That adds rows and columns; a table has rows times columns cells.", "concept": "tables"}
    ]
    counting.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    prob = dest / "modules" / "02-probability" / "module.yaml"
    data = yaml.safe_load(prob.read_text())
    step = data["steps"][0]
    step["try_first"] = "which-sums-to-one"
    step["problems"][0]["options"][2]["misconception"] = {
        "feedback": "A row of probabilities must add up to exactly one; 0.6 + 0.6 is 1.2.",
        "concept": "normalising",
    }
    step["problems"].append(EXPLAIN)
    prob.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return dest


def import_ramp_course(tmp_path: Path):
    from courses import api
    from courses.services import import_course_from_path

    import_course_from_path(path=build(tmp_path / "ramp-pkg"))
    return api.get_course("example")
