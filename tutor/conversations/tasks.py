"""Celery tasks of conversations (thin). Registered with the worker through ``tutor.tasks``."""

from __future__ import annotations

from celery import shared_task


@shared_task
def send_notification_email_task(notification_id: int) -> bool:
    """E-mail a notification to its user (console backend by default, EMAIL_BACKEND in production)."""
    from tutor.conversations.notify import email_notification

    return email_notification(notification_id)
