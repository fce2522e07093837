from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error
from django_ratelimit.decorators import ratelimit

from academy.forms import SignupForm


def _rate(setting: str):
    return lambda group, request: getattr(settings, setting)


@ratelimit(key="ip", rate=_rate("SIGNUP_RATE"), method="POST", block=True)
@require_http_methods(["GET", "POST"])
def signup(request):
    """Create an account and log in; returns to ``next`` when it is a safe local URL."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(next_url or reverse("catalog"))
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """404 everywhere: the error convention's JSON under /api/ (``{"code", "detail"}``), the HTML page elsewhere."""
    if _wants_json(request):
        return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    """500: JSON under /api/, the HTML page elsewhere (the error itself is logged by Django)."""
    if _wants_json(request):
        return JsonResponse({"code": "server_error", "detail": "Something went wrong on our side; please try again."}, status=500)
    return default_server_error(request)


@method_decorator(ratelimit(key="ip", rate=_rate("LOGIN_RATE"), method="POST", block=True), name="post")
@method_decorator(ratelimit(key="post:username", rate=_rate("LOGIN_RATE"), method="POST", block=True), name="post")
class LoginView(auth_views.LoginView):
    """Django's sign-in, rate-limited per IP and per username (``LOGIN_RATE``): password guessing gets a 429."""


def rate_limited(request, exception=None):
    """429 for a rate-limited form (django-ratelimit's ``RATELIMIT_VIEW``): a page that says what happened and when
    to try again; JSON under /api/."""
    detail = "Too many attempts in a short time. Please wait a minute and try again."
    if _wants_json(request):
        return JsonResponse({"code": "rate_limited", "detail": detail}, status=429, headers={"Retry-After": "60"})
    response = render(request, "429.html", {"detail": detail}, status=429)
    response["Retry-After"] = "60"
    return response
