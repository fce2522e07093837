"""The stuck-map: for each step of a course's ramp, how often students who reached it got stuck there — wrong
attempts, hints taken, questions to the TA, escalations to human TAs and shared threads, each divided by the number
of students who reached the step (``StepVisit``) — and a server-rendered SVG bar chart of it along the ramp.

Aggregates only (no per-student rows). A rate above 1 means more events than students (e.g. 2.5 wrong attempts
per student who reached the step). The other end of the ramp's slope is flagged too: a step whose problems nearly
every student solves at the first attempt (``too_easy``: first-try success >= ``TOO_EASY_RATE`` over at least
``TOO_EASY_MIN_TRIES`` first tries) teaches little — cf. the ~85 % success target of Wilson et al. 2019.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q

from courses import api as courses
from tutor.conversations.api import Escalation, Message
from tutor.practice.api import Attempt, HintReveal, StepVisit
from tutor.staffing.models import SharedThread

TOO_EASY_RATE = 0.95
TOO_EASY_MIN_TRIES = 5
SIGNALS = ("wrong_attempts", "hints", "ta_questions", "escalations", "shared_threads")
LABELS = {
    "wrong_attempts": "wrong attempts",
    "hints": "hints taken",
    "ta_questions": "TA questions",
    "escalations": "escalations",
    "shared_threads": "shared threads",
}
COLORS = {
    "wrong_attempts": "#c0392b",
    "hints": "#e67e22",
    "ta_questions": "#2980b9",
    "escalations": "#8e44ad",
    "shared_threads": "#16a085",
}


@dataclass
class StepStats:
    position: int  # 1-based place on the ramp
    step_id: int
    slug: str
    title: str
    module: str
    reached: int
    counts: dict[str, int] = field(default_factory=dict)
    rates: dict[str, float | None] = field(default_factory=dict)  # count / reached; None when nobody reached it
    first_tries: int = 0  # (student, problem) pairs of this step with at least one attempt
    first_try_correct: int = 0

    @property
    def first_try_success(self) -> float | None:
        return round(self.first_try_correct / self.first_tries, 3) if self.first_tries else None

    @property
    def too_easy(self) -> bool:
        return self.first_tries >= TOO_EASY_MIN_TRIES and self.first_try_correct >= TOO_EASY_RATE * self.first_tries

    @property
    def steepness(self) -> float:
        """Sum of the per-student rates: one number to rank steps by."""
        return round(sum(r for r in self.rates.values() if r is not None), 3)

    def as_dict(self) -> dict:
        return {
            "position": self.position,
            "step": self.step_id,
            "slug": self.slug,
            "title": self.title,
            "module": self.module,
            "reached": self.reached,
            "counts": self.counts,
            "rates": self.rates,
            "steepness": self.steepness,
            "first_tries": self.first_tries,
            "first_try_success": self.first_try_success,
            "too_easy": self.too_easy,
        }


def _by(qs, key: str) -> Counter:
    return Counter({row[key]: row["n"] for row in qs.values(key).annotate(n=Count("id"))})


def stuck_map(course_id: int) -> list[StepStats]:
    """Per step of the course (ramp order), the five stuck signals, raw and per student who reached it, and the
    first-try success of its problems (9 queries)."""
    outline = courses.course_outline(course_id)
    step_of_problem = {p.id: p.step_id for p in courses.course_problems(course_id)}
    students = courses.student_ids(course_id)
    reached = _by(StepVisit.objects.filter(course_id=course_id, user_id__in=students), "step_id")
    per_problem = {
        "wrong_attempts": _by(Attempt.objects.filter(course_id=course_id, correct=False), "problem_id"),
        "hints": _by(HintReveal.objects.filter(problem_id__in=list(step_of_problem)), "problem_id"),
    }
    per_step = {
        "ta_questions": _by(
            Message.objects.filter(thread__course_id=course_id, role=Message.Role.STUDENT).exclude(step_id=None), "step_id"
        ),
        "escalations": _by(Escalation.objects.filter(course_id=course_id).exclude(thread__step_id=None), "thread__step_id"),
        "shared_threads": _by(SharedThread.objects.filter(course_id=course_id).exclude(step_id=None), "step_id"),
    }
    firsts = (
        Attempt.objects.filter(course_id=course_id, user_id__in=students)
        .values("user_id", "problem_id")
        .annotate(first=Min("id"))
        .values("first")
    )
    first_tries: Counter = Counter()
    first_ok: Counter = Counter()
    for row in (
        Attempt.objects.filter(id__in=firsts).values("problem_id").annotate(n=Count("id"), ok=Count("id", filter=Q(correct=True)))
    ):
        sid = step_of_problem.get(row["problem_id"])
        if sid is not None:
            first_tries[sid] += row["n"]
            first_ok[sid] += row["ok"]
    counts: dict[str, Counter] = {k: Counter() for k in SIGNALS}
    for k, by_problem in per_problem.items():
        for pid, n in by_problem.items():
            if pid in step_of_problem:
                counts[k][step_of_problem[pid]] += n
    for k, c in per_step.items():
        counts[k].update(c)
    out, pos = [], 0
    for m in outline:
        for s in m.steps:
            pos += 1
            r = reached.get(s.id, 0)
            cs = {k: counts[k].get(s.id, 0) for k in SIGNALS}
            rates = {k: (round(v / r, 3) if r else None) for k, v in cs.items()}
            out.append(StepStats(pos, s.id, s.slug, s.title, m.title, r, cs, rates, first_tries[s.id], first_ok[s.id]))
    return out


# ----------------------------------------------------------------------------------------------- the SVG chart
def svg_chart(stats: list[StepStats], *, width: int = 960, height: int = 320) -> dict:
    """Geometry of a grouped bar chart (one group of five bars per step, along the ramp), for the template to draw
    as inline SVG: ``{width, height, bars: [{x, y, w, h, color, title}], ticks: [{y, label}], labels: [{x, text}],
    legend: [{label, color}], plot: {left, top, bottom}}``."""
    left, right, top, bottom = 44, 10, 12, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((r for s in stats for r in s.rates.values() if r), default=0.0) or 1.0
    n = max(len(stats), 1)
    group_w = plot_w / n
    bar_w = max(1.0, group_w * 0.8 / len(SIGNALS))
    bars, labels = [], []
    for i, s in enumerate(stats):
        x0 = left + i * group_w + group_w * 0.1
        for j, k in enumerate(SIGNALS):
            rate = s.rates[k] or 0.0
            h = plot_h * rate / peak
            bars.append(
                {
                    "x": round(x0 + j * bar_w, 2),
                    "y": round(top + plot_h - h, 2),
                    "w": round(bar_w, 2),
                    "h": round(h, 2),
                    "color": COLORS[k],
                    "title": f"Step {s.position} {s.title}: {LABELS[k]} {s.counts[k]} "
                    f"({'n/a' if s.rates[k] is None else f'{rate:.2f}'} per student, {s.reached} reached)",
                }
            )
        labels.append({"x": round(left + (i + 0.5) * group_w, 2), "text": str(s.position)})
    ticks = [{"y": round(top + plot_h - plot_h * f, 2), "label": f"{peak * f:.2g}"} for f in (0, 0.25, 0.5, 0.75, 1.0)]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "legend": [{"label": LABELS[k], "color": COLORS[k]} for k in SIGNALS],
        "plot": {"left": left, "top": top, "bottom": top + plot_h, "right": width - right},
    }
