"""Template tags of the people side of the TA loop: course-staff navigation links, the unread-notifications link,
and the sharing box under a student's thread (docs/staff.md)."""

from __future__ import annotations

from django import template

from courses.api import roles
from tutor.conversations.api import Notification

register = template.Library()


@register.inclusion_tag("tutor/staff/_staff_links.html", takes_context=True)
def staff_links(context, course):
    """Dashboard for the course's TAs; inbox and stuck-map for its faculty; nothing for anyone else."""
    request = context.get("request")
    held = roles(request.user, course.id) if request else set()
    return {"course": course, "is_ta": "ta" in held, "is_faculty": "faculty" in held}


@register.inclusion_tag("tutor/staff/_notifications_link.html", takes_context=True)
def notifications_link(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    unread = Notification.objects.filter(user=user, read_at=None).count() if getattr(user, "is_authenticated", False) else 0
    return {"unread": unread, "show": getattr(user, "is_authenticated", False)}


@register.inclusion_tag("tutor/staff/_thread_sharing.html", takes_context=True)
def thread_sharing(context, course, thread):
    """Share / unshare box and the live human-answer listener on a student's own thread page."""
    from tutor.staffing.api import is_shared

    return {"course": course, "thread": thread, "shared": is_shared(thread.id), "csrf_token": context.get("csrf_token")}
