"""Studio REST API: permissions, validated saves with field anchors, conflicts, publish/rollback, the OpenAPI schema."""

from __future__ import annotations

import copy

import pytest
from rest_framework.test import APIClient

from courses.models import Step


@pytest.fixture
def faculty_api(course, make_user):
    c = APIClient()
    c.force_authenticate(make_user("fiona", course=course, role="faculty"))
    return c


def url(course, tail: str) -> str:
    return f"/api/courses/{course.slug}/studio/{tail}"


def test_anonymous_403_and_non_faculty_404(course, make_user):
    assert APIClient().get(url(course, "draft/")).status_code == 403
    for role in ("student", "ta"):
        c = APIClient()
        c.force_authenticate(make_user(f"u-{role}", course=course, role=role))
        assert c.get(url(course, "draft/")).status_code == 404
        assert c.post(url(course, "publish/"), {}, format="json").status_code == 404


def test_bad_answer_is_refused_with_an_anchor_then_a_stale_save_conflicts(faculty_api, course):
    draft = faculty_api.get(url(course, "draft/")).json()
    doc = copy.deepcopy(draft["document"])
    doc["modules"]["01-counting"]["steps"][0]["problems"][0]["answer"] = "nine"
    r = faculty_api.put(url(course, "draft/"), {"version": draft["version"], "document": doc}, format="json")
    assert r.status_code == 400
    assert {"anchor": "problem:table-cells"}.items() <= r.json()["errors"][0].items()
    ok = faculty_api.post(
        url(course, "draft/reorder/"), {"version": draft["version"], "order": [["tally"], ["normalise"]]}, format="json"
    )
    assert ok.status_code == 200
    stale = faculty_api.post(
        url(course, "draft/reorder/"), {"version": draft["version"], "order": [["tally"], ["normalise"]]}, format="json"
    )
    assert stale.status_code == 409 and "changed by fiona" in stale.json()["detail"]


def test_cycle_refused_then_concept_added_published_and_rolled_back(faculty_api, course):
    v = faculty_api.get(url(course, "draft/")).json()["version"]
    cyc = {
        "version": v,
        "folder": "01-counting",
        "slug": "counting",
        "name": "Counting",
        "prerequisites": ["tables"],
        "original": "counting",
    }
    r = faculty_api.post(url(course, "draft/concepts/"), cyc, format="json")
    assert r.status_code == 400 and "prerequisite cycle" in r.json()["errors"][0]["message"]
    new = {"version": v, "folder": "01-counting", "slug": "rows", "name": "Rows", "prerequisites": ["counting"]}
    assert faculty_api.post(url(course, "draft/concepts/"), new, format="json").status_code == 200
    pub = faculty_api.post(url(course, "publish/"), {"note": "rows"}, format="json")
    assert pub.status_code == 201 and "concept 'rows' added" in pub.json()["changes"]
    versions = faculty_api.get(url(course, "versions/")).json()
    assert [x["number"] for x in versions] == [2, 1]
    assert "rows" in faculty_api.get(url(course, "versions/2/")).json()["diff"]
    assert faculty_api.post(url(course, "versions/1/rollback/")).status_code == 201
    assert faculty_api.get(url(course, "versions/")).json()[0]["summary"] == "concept 'rows' archived"


def test_step_edit_via_api(faculty_api, course):
    draft = faculty_api.get(url(course, "draft/")).json()
    step = draft["document"]["modules"]["01-counting"]["steps"][0]
    body = {
        "version": draft["version"],
        "title": "Counting by hand",
        "kind": "lesson",
        "body": "# Counting by hand\n",
        "concepts": step["concepts"],
        "problems": step["problems"],
    }
    assert faculty_api.put(url(course, "draft/steps/tally/"), body, format="json").status_code == 200
    faculty_api.post(url(course, "publish/"), {}, format="json")
    assert Step.objects.get(slug="tally").title == "Counting by hand"


def test_schema_documents_the_studio(client, db):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/studio/draft/", "/studio/publish/", "/studio/versions/{number}/rollback/", "/studio/draft/concepts/"):
        assert path in schema


def test_publishing_an_unchanged_draft_is_refused(faculty_api, course):
    faculty_api.get(url(course, "draft/"))
    r = faculty_api.post(url(course, "publish/"), {}, format="json")
    assert r.status_code == 409 and "nothing to publish" in r.json()["detail"]
    assert faculty_api.post(url(course, "versions/1/rollback/")).status_code == 409
    assert [v["number"] for v in faculty_api.get(url(course, "versions/")).json()] == [1]
