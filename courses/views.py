from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import api


@require_GET
def catalog(request):
    return render(request, "courses/catalog.html", {"courses": api.list_courses()})
