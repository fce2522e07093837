from django.urls import path

from tutor.assistant import views as assistant_views
from tutor.conversations import views as ta_views
from tutor.practice import code_views, views
from tutor.staffing import views as staff_views

app_name = "tutor"
urlpatterns = [
    path("courses/<slug:slug>/", views.course_detail, name="course"),
    path("courses/<slug:slug>/enroll/", views.course_enroll, name="enroll"),
    path("courses/<slug:slug>/steps/<slug:step_slug>/", views.step_detail, name="step"),
    path("problems/<int:problem_id>/attempt/", views.problem_attempt, name="attempt"),
    path("problems/<int:problem_id>/code/", code_views.problem_code, name="code"),
    path("code-submissions/<int:submission_id>/", code_views.code_submission, name="code-submission"),
    path("problems/<int:problem_id>/hint/", views.problem_hint, name="hint"),
    path("problems/<int:problem_id>/solution/", views.problem_solution, name="solution"),
    path("problems/<int:problem_id>/review/", ta_views.explanation_review, name="review"),
    path("courses/<slug:slug>/ta/", ta_views.thread_list, name="ta-threads"),
    path("courses/<slug:slug>/ta/threads/<int:thread_id>/", ta_views.thread_detail, name="ta-thread"),
    path("problems/<int:problem_id>/stuck/", views.problem_stuck, name="stuck"),
    path("courses/<slug:slug>/ta/threads/<int:thread_id>/share/", staff_views.share_page, name="staff-share"),
    path("courses/<slug:slug>/ta/threads/<int:thread_id>/unshare/", staff_views.unshare, name="staff-unshare"),
    path("courses/<slug:slug>/staff/queue/", staff_views.queue_page, name="staff-queue"),
    path("courses/<slug:slug>/staff/escalations/<int:escalation_id>/", staff_views.escalation_page, name="staff-escalation"),
    path(
        "courses/<slug:slug>/staff/escalations/<int:escalation_id>/<slug:action>/",
        staff_views.escalation_action,
        name="staff-escalation-action",
    ),
    path(
        "courses/<slug:slug>/staff/messages/<int:message_id>/<slug:action>/",
        staff_views.message_action,
        name="staff-message-action",
    ),
    path("courses/<slug:slug>/staff/inbox/", staff_views.inbox_page, name="staff-inbox"),
    path("courses/<slug:slug>/staff/stuck-map/", staff_views.stuckmap_page, name="staff-stuck-map"),
    path("courses/<slug:slug>/staff/assistant/", assistant_views.assistant_model_page, name="staff-assistant"),
    path("notifications/", staff_views.notifications_page, name="notifications"),
    path("courses/<slug:slug>/practice/", views.practice_page, name="practice"),
    path("courses/<slug:slug>/knowledge/", views.knowledge_page, name="knowledge"),
    path("courses/<slug:slug>/placement/", views.placement_page, name="placement"),
    path("courses/<slug:slug>/placement/skip/", views.placement_skip, name="placement_skip"),
]
