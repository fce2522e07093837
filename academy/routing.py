"""Websocket routes of every app, wired here (apps don't know the project)."""

from django.urls import path

from tutor.assistant.consumers import TAConsumer
from tutor.staffing.consumers import StaffQueueConsumer

websocket_urlpatterns: list = [
    path("ws/courses/<slug:slug>/ta/", TAConsumer.as_asgi()),  # the automated TA (docs/ta.md)
    path("ws/courses/<slug:slug>/staff/queue/", StaffQueueConsumer.as_asgi()),  # the TAs' live queue (docs/staff.md)
]
