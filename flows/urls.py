"""URLs of the flows app on a study host: `urlpatterns` (pages) and `api_urlpatterns` (under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from flows import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("flow/", views.flow_page, name="flow"),
    path("flow/page/", views.information_page, name="flow-page"),
]
api_urlpatterns: list[URLPattern | URLResolver] = []
