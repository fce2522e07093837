"""E-mail for in-app notifications (sent by a Celery task after commit)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from tutor.conversations.models import Notification


def email_notification(notification_id: int) -> bool:
    """Send the notification to its user's e-mail address; False when it is gone or the user has no address."""
    n = Notification.objects.filter(pk=notification_id).select_related("user").first()
    if n is None or not n.user.email:
        return False
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    body = f"{n.text}\n\nRead it here: {base}{n.url}\n\n— Academy"
    send_mail(subject="Academy: " + n.text[:70], message=body, from_email=None, recipient_list=[n.user.email])
    return True
