"""Pages of the people side of the TA loop (docs/staff.md): the TAs' dashboard (queue + one escalation with its
actions), a student's share preview / share / unshare of a thread, the authors' inbox and stuck-map, and the
notifications list. Thin: permission (tutor.staffing.permissions), then a service or selector, then a template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courses import api as courses
from tutor.conversations import api as conversations
from tutor.conversations.api import Notification, StaffError
from tutor.staffing import inbox, permissions, selectors, stuckmap
from tutor.staffing import services as sharing

ACTIONS = ("claim", "answer", "resolve", "reopen")
PAGE_SIZE = 25


@login_required
@require_GET
def queue_page(request, slug):
    course = permissions.ta_course(request.user, slug)
    flt = request.GET.get("filter", "open")
    if flt not in selectors.FILTERS:
        flt = "open"
    page = Paginator(selectors.queue(course.id, request.user, flt), PAGE_SIZE).get_page(request.GET.get("page"))
    items = [selectors.queue_item(e) for e in page.object_list]
    ctx = {"course": course, "items": items, "filter": flt, "filters": selectors.FILTERS, "page": page}
    if request.GET.get("partial"):
        return render(request, "tutor/staff/_queue.html", ctx)
    return render(request, "tutor/staff/queue.html", ctx)


@login_required
@require_GET
def escalation_page(request, slug, escalation_id):
    course = permissions.ta_course(request.user, slug)
    esc = selectors.get(course.id, escalation_id)
    if esc is None:
        raise Http404("No such escalation")
    step = courses.get_step_by_id(esc.thread.step_id) if esc.thread.step_id else None
    return render(
        request,
        "tutor/staff/escalation.html",
        {"course": course, "e": selectors.detail(esc), "step": step, "history": selectors.history(esc)},
    )


@login_required
@require_POST
def escalation_action(request, slug, escalation_id, action):
    course = permissions.ta_course(request.user, slug)
    if action not in ACTIONS:
        raise Http404("No such action")
    kw = {"course_id": course.id, "escalation_id": escalation_id, "ta": request.user}
    try:
        if action == "answer":
            conversations.answer(text=request.POST.get("text", ""), **kw)
            messages.success(request, "Answer sent to the student.")
        else:
            getattr(conversations, action)(**kw)
            messages.success(
                request,
                {"claim": "Claimed: it's yours.", "resolve": "Resolved.", "reopen": "Reopened: back in the queue."}[action],
            )
    except conversations.EscalationNotFound:
        raise Http404("No such escalation") from None
    except StaffError as exc:
        messages.error(request, str(exc))
    return redirect("tutor:staff-escalation", slug=slug, escalation_id=escalation_id)


@login_required
@require_POST
def message_action(request, slug, message_id, action):
    course = permissions.ta_course(request.user, slug)
    try:
        if action == "endorse":
            conversations.endorse(course_id=course.id, message_id=message_id, ta=request.user)
            messages.success(request, "Endorsed: the TA will cite this answer as staff-verified.")
        elif action == "correct":
            conversations.correct(course_id=course.id, message_id=message_id, ta=request.user, text=request.POST.get("text", ""))
            messages.success(request, "Correction posted to the student and added to the TA's sources.")
        else:
            raise Http404("No such action")
    except conversations.EscalationNotFound:
        raise Http404("No such answer") from None
    except StaffError as exc:
        messages.error(request, str(exc))
    back = request.POST.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("tutor:staff-queue", args=[slug])
    return redirect(back)


# ------------------------------------------------------------------------------------------------ sharing
@login_required
def share_page(request, slug, thread_id):
    """GET: the preview of exactly what would be shared; POST: share it (with the preview's token)."""
    course = permissions.student_course(request.user, slug)
    try:
        if request.method == "POST":
            sharing.share(user=request.user, course_id=course.id, thread_id=thread_id, token=request.POST.get("token"))
            messages.success(request, "Shared with the course's authors, anonymized. You can unshare it at any time.")
            return redirect("tutor:ta-thread", slug=slug, thread_id=thread_id)
        preview = sharing.preview(user=request.user, course_id=course.id, thread_id=thread_id)
    except sharing.NotFound:
        raise Http404("No such thread") from None
    except StaffError as exc:
        messages.error(request, str(exc))
        return redirect("tutor:staff-share", slug=slug, thread_id=thread_id)
    step = courses.get_step_by_id(preview.step_id) if preview.step_id else None
    return render(
        request,
        "tutor/staff/share.html",
        {"course": course, "thread_id": thread_id, "preview": preview, "step": step, "shared": sharing.is_shared(thread_id)},
    )


@login_required
@require_POST
def unshare(request, slug, thread_id):
    course = permissions.student_course(request.user, slug)
    try:
        done = sharing.unshare(user=request.user, course_id=course.id, thread_id=thread_id)
    except sharing.NotFound:
        raise Http404("No such thread") from None
    messages.success(request, "Unshared: the authors' copy is deleted." if done else "This thread was not shared.")
    return redirect("tutor:ta-thread", slug=slug, thread_id=thread_id)


# ------------------------------------------------------------------------------------------------ authors
@login_required
@require_GET
def inbox_page(request, slug):
    course = permissions.faculty_course(request.user, slug)
    concept = request.GET.get("concept") or None
    return render(
        request, "tutor/staff/inbox.html", {"course": course, "groups": inbox.grouped(course.id, concept), "concept": concept}
    )


@login_required
@require_GET
def stuckmap_page(request, slug):
    course = permissions.faculty_course(request.user, slug)
    stats = stuckmap.stuck_map(course.id)
    steepest = sorted((s for s in stats if s.reached), key=lambda s: -s.steepness)[:5]
    too_easy = [s for s in stats if s.too_easy]
    return render(
        request,
        "tutor/staff/stuckmap.html",
        {
            "course": course,
            "stats": stats,
            "chart": stuckmap.svg_chart(stats),
            "steepest": steepest,
            "too_easy": too_easy,
            "easy_rate": int(stuckmap.TOO_EASY_RATE * 100),
            "signals": stuckmap.LABELS,
        },
    )


# ------------------------------------------------------------------------------------------------ notifications
@login_required
def notifications_page(request):
    """GET: your notifications (newest first; viewing marks them read). POST ``thread``: mark that thread's read."""
    if request.method == "POST":
        thread = request.POST.get("thread")
        n = conversations.mark_read(user=request.user, thread_id=int(thread) if thread and thread.isdigit() else None)
        return JsonResponse({"marked": n})
    rows = list(Notification.objects.filter(user=request.user)[:100])
    conversations.mark_read(user=request.user)
    return render(request, "tutor/staff/notifications.html", {"notifications": rows})
