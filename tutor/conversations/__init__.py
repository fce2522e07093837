"""Conversations — threads and messages between a student, the assistant and human TAs; escalations and their state
machine (`transitions`: open → claimed → answered → resolved, reopened; `escalations` holds its only writers);
endorsements and corrections of AI answers; in-app notifications (`notify`: their e-mail). `events` names the
channel-layer groups and the domain signals; `api` is what other domains may use.
"""
