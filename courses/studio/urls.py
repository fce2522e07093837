"""Studio URLs, mounted under ``studio/`` by academy/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/", views.outline, name="studio-outline"),
    path("<slug:slug>/outline/<slug:action>/", views.outline_action, name="studio-outline-action"),
    path("<slug:slug>/steps/<slug:step_slug>/", views.step_editor, name="studio-step"),
    path("<slug:slug>/markdown/", views.markdown_preview, name="studio-markdown"),
    path("<slug:slug>/concepts/", views.concepts, name="studio-concepts"),
    path("<slug:slug>/publish/", views.publish, name="studio-publish"),
    path("<slug:slug>/discard/", views.discard, name="studio-discard"),
    path("<slug:slug>/preview/", views.preview, name="studio-preview"),
    path("<slug:slug>/versions/", views.versions, name="studio-versions"),
    path("<slug:slug>/versions/<int:number>/", views.version_diff, name="studio-version"),
    path("<slug:slug>/versions/<int:number>/rollback/", views.rollback, name="studio-rollback"),
]
