from csp.decorators import csp_exempt
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from academy import rest, views
from courses import rest as courses_rest
from courses import views as courses_views
from courses.studio import rest as studio_rest
from tutor.conversations import rest as ta_rest
from tutor.practice import rest as tutor_rest
from tutor.practice import rest_adaptive as practice_rest
from tutor.practice import rest_code
from tutor.practice import views as tutor_views
from tutor.staffing import rest as staff_rest

api = [
    path("courses/", courses_rest.CourseList.as_view(), name="api-courses"),
    path("courses/<slug:slug>/", courses_rest.CourseDetail.as_view(), name="api-course"),
    path("courses/<slug:slug>/enroll/", rest.Enroll.as_view(), name="api-enroll"),
    path("courses/<slug:slug>/progress/", tutor_rest.Progress.as_view(), name="api-progress"),
    path("problems/<int:problem_id>/attempts/", tutor_rest.Attempts.as_view(), name="api-attempts"),
    path("problems/<int:problem_id>/hints/", tutor_rest.Hints.as_view(), name="api-hints"),
    path("problems/<int:problem_id>/solution/", tutor_rest.Solution.as_view(), name="api-solution"),
    path("problems/<int:problem_id>/code/", rest_code.CodeSubmissions.as_view(), name="api-code"),
    path("code-submissions/<int:submission_id>/", rest_code.CodeSubmissionDetail.as_view(), name="api-code-submission"),
    path("courses/<slug:slug>/next/", practice_rest.NextProblem.as_view(), name="api-next"),
    path("courses/<slug:slug>/knowledge/", practice_rest.Knowledge.as_view(), name="api-knowledge"),
    path("courses/<slug:slug>/diagnostic/", practice_rest.DiagnosticStart.as_view(), name="api-diagnostic"),
    path("courses/<slug:slug>/diagnostic/answer/", practice_rest.DiagnosticAnswer.as_view(), name="api-diagnostic-answer"),
    path("courses/<slug:slug>/ta/threads/", ta_rest.Threads.as_view(), name="api-ta-threads"),
    path("courses/<slug:slug>/ta/threads/<int:thread_id>/", ta_rest.ThreadDetail.as_view(), name="api-ta-thread"),
    path("courses/<slug:slug>/ta/threads/<int:thread_id>/share/", staff_rest.Share.as_view(), name="api-ta-share"),
    path("courses/<slug:slug>/staff/escalations/", staff_rest.Queue.as_view(), name="api-staff-queue"),
    path(
        "courses/<slug:slug>/staff/escalations/<int:escalation_id>/",
        staff_rest.EscalationDetail.as_view(),
        name="api-staff-escalation",
    ),
    path("courses/<slug:slug>/staff/escalations/<int:escalation_id>/claim/", staff_rest.Claim.as_view(), name="api-staff-claim"),
    path(
        "courses/<slug:slug>/staff/escalations/<int:escalation_id>/answer/", staff_rest.Answer.as_view(), name="api-staff-answer"
    ),
    path(
        "courses/<slug:slug>/staff/escalations/<int:escalation_id>/resolve/",
        staff_rest.Resolve.as_view(),
        name="api-staff-resolve",
    ),
    path(
        "courses/<slug:slug>/staff/escalations/<int:escalation_id>/reopen/", staff_rest.Reopen.as_view(), name="api-staff-reopen"
    ),
    path("courses/<slug:slug>/staff/messages/<int:message_id>/endorse/", staff_rest.Endorse.as_view(), name="api-staff-endorse"),
    path("courses/<slug:slug>/staff/messages/<int:message_id>/correct/", staff_rest.Correct.as_view(), name="api-staff-correct"),
    path("courses/<slug:slug>/staff/inbox/", staff_rest.Inbox.as_view(), name="api-staff-inbox"),
    path("courses/<slug:slug>/staff/stuck-map/", staff_rest.StuckMap.as_view(), name="api-staff-stuck-map"),
    path("courses/<slug:slug>/studio/draft/", studio_rest.Draft.as_view(), name="api-studio-draft"),
    path("courses/<slug:slug>/studio/draft/reorder/", studio_rest.Reorder.as_view(), name="api-studio-reorder"),
    path("courses/<slug:slug>/studio/draft/steps/<slug:step_slug>/", studio_rest.StepDetail.as_view(), name="api-studio-step"),
    path("courses/<slug:slug>/studio/draft/concepts/", studio_rest.Concepts.as_view(), name="api-studio-concepts"),
    path("courses/<slug:slug>/studio/publish/", studio_rest.Publish.as_view(), name="api-studio-publish"),
    path("courses/<slug:slug>/studio/preview/", studio_rest.Preview.as_view(), name="api-studio-preview"),
    path("courses/<slug:slug>/studio/versions/", studio_rest.Versions.as_view(), name="api-studio-versions"),
    path("courses/<slug:slug>/studio/versions/<int:number>/", studio_rest.VersionDetail.as_view(), name="api-studio-version"),
    path(
        "courses/<slug:slug>/studio/versions/<int:number>/rollback/", studio_rest.Rollback.as_view(), name="api-studio-rollback"
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI loads its own bundle and an inline bootstrap script: the one page exempt from the CSP.
    path("docs/", csp_exempt()(SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
]

urlpatterns = [
    path("", courses_views.catalog, name="catalog"),
    path("healthz", tutor_views.healthz, name="healthz"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include(api)),
    path("studio/", include("courses.studio.urls")),
    path("", include("tutor.urls")),
]

handler404 = "academy.views.not_found"
handler500 = "academy.views.server_error"
