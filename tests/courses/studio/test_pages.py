"""Studio pages through the Django test client: who may open them, refused saves, preview, publish."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import Course, Step
from courses.studio import services


@pytest.fixture
def faculty_client(client, course, make_user):
    client.force_login(make_user("fiona", course=course, role="faculty"))
    return client


def _step_form(client, course_slug: str, step: str) -> dict:
    """The step editor's fields as the browser would post them (from the rendered page's draft)."""
    draft = services.get_or_start_draft(course_id=Course.objects.get(slug=course_slug).pk)
    from courses.studio import document as docs
    from courses.studio import forms

    folder, _i, s = docs.find_step(draft.document, step)
    data = {
        "version": draft.version,
        "title": s["title"],
        "kind": s["kind"],
        "concepts": ", ".join(s.get("concepts", [])),
        "body": docs.step_body(draft.document, folder, s),
        "problem": [],
    }
    for i, p in enumerate(s.get("problems", [])):
        f = forms.problem_to_form(p)
        data["problem"].append(f"p{i}")
        for k in ("slug", "kind", "concepts", "difficulty", "prompt", "solution", "extra"):
            data[f"p{i}-{k}"] = f[k]
        data[f"p{i}-hint"] = f["hints"]
    return data


STUDIO_PAGES = ["studio-outline", "studio-concepts", "studio-publish", "studio-versions"]


@pytest.mark.parametrize("role", ["student", "ta", None])
def test_students_tas_and_outsiders_get_404(client, course, make_user, role):
    client.force_login(make_user("someone", course=course, role=role))
    for name in STUDIO_PAGES:
        assert client.get(reverse(name, args=[course.slug])).status_code == 404
    assert client.get(reverse("studio-step", args=[course.slug, "tally"])).status_code == 404
    assert client.post(reverse("studio-publish", args=[course.slug])).status_code == 404


def test_faculty_of_another_course_get_404(client, course, make_user, tmp_path):
    other = Course.objects.create(slug="other", title="Other", summary="x")
    client.force_login(make_user("olga", course=other, role="faculty"))
    assert client.get(reverse("studio-outline", args=[course.slug])).status_code == 404


def test_anonymous_is_sent_to_log_in(client, course):
    r = client.get(reverse("studio-outline", args=[course.slug]))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_faculty_see_outline_with_concepts_and_problem_counts(faculty_client, course):
    html = faculty_client.get(reverse("studio-outline", args=[course.slug])).content.decode()
    assert "Tally marks" in html and "2 problems" in html and 'class="chip">tables<' in html


def test_refused_step_save_shows_the_message_by_the_problem_and_keeps_the_typing(faculty_client, course):
    data = _step_form(faculty_client, course.slug, "tally")
    data["body"] = "# Tally marks\n\nMy new paragraph."
    data["p0-extra"] = "answer: nine\ntolerance: 0\ncheck: |\n  print(9)\n"
    r = faculty_client.post(reverse("studio-step", args=[course.slug, "tally"]), data)
    assert r.status_code == 400
    html = r.content.decode()
    fieldset = html.split('id="problem-p0"')[1].split("</fieldset>")[0]
    assert "numeric answer &#x27;nine&#x27; is not a number" in fieldset
    assert "My new paragraph." in html
    assert services.get_or_start_draft(course_id=course.id).version == 1


def test_step_save_adds_a_problem_with_hints(faculty_client, course):
    data = _step_form(faculty_client, course.slug, "tally")
    data["problem"].append("new")
    data.update(
        {
            "new-slug": "two-letters",
            "new-kind": "numeric",
            "new-concepts": "tables",
            "new-difficulty": "0.4",
            "new-prompt": "How many cells for a 2-letter alphabet?",
            "new-extra": "answer: 4\ntolerance: 0\ncheck: print(2 * 2)\n",
            "new-hint": ["Rows?", "Rows times columns."],
            "new-solution": "$2 \\times 2 = 4$",
        }
    )
    r = faculty_client.post(reverse("studio-step", args=[course.slug, "tally"]), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    html = faculty_client.get(reverse("studio-outline", args=[course.slug])).content.decode()
    assert "3 problems" in html


def test_markdown_preview_uses_the_student_renderer(faculty_client, course):
    r = faculty_client.post(reverse("studio-markdown", args=[course.slug]), {"body": "Hi $x^2$ <script>alert(1)</script>"})
    html = r.content.decode()
    assert '<span class="math inline">x^2</span>' in html and "<script>" not in html


def test_preview_as_student_is_hidden_from_students(faculty_client, client, course, make_user):
    r = faculty_client.post(reverse("studio-preview", args=[course.slug]), {"step": "tally"})
    copy = Course.objects.get(preview_of__slug=course.slug)
    assert r["Location"] == reverse("tutor:step", args=[copy.slug, "tally"])
    assert faculty_client.get(r["Location"]).status_code == 200
    assert copy.slug not in faculty_client.get(reverse("catalog")).content.decode()
    student = make_user("sam", course=course)
    client.force_login(student)
    assert client.get(reverse("tutor:course", args=[copy.slug])).status_code == 404
    assert client.post(reverse("tutor:enroll", args=[copy.slug])).status_code in (403, 404)


def test_publish_page_lists_changes_and_publishing_changes_the_student_page(faculty_client, course):
    draft = services.get_or_start_draft(course_id=course.id)
    faculty_client.post(
        reverse("studio-outline-action", args=[course.slug, "rename-step"]),
        {"version": draft.version, "step": "tally", "title": "Tallies"},
    )
    html = faculty_client.get(reverse("studio-publish", args=[course.slug])).content.decode()
    assert "step &#x27;tally&#x27; edited" in html and "+  title: Tallies" in html
    draft.refresh_from_db()
    faculty_client.post(reverse("studio-publish", args=[course.slug]), {"version": draft.version})
    assert Step.objects.get(course_id=course.id, slug="tally").title == "Tallies"
