"""Websocket routes of every app, wired here (apps don't know the project)."""
websocket_urlpatterns: list = []
