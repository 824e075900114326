"""Platform-host URLs of the compliance app: compliance console pages and /api/v1/audit/."""

from django.urls import URLPattern, URLResolver, path

from compliance import researcher_apis, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("compliance/", views.console, name="audit-console"),
    path("compliance/chains/", views.chains, name="audit-chains"),
    path("compliance/export.csv", views.export_csv, name="audit-export"),
    path("compliance/entries/<str:chain>/<int:entry_id>/", views.entry_detail, name="audit-entry"),
]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("audit/", researcher_apis.PlatformAuditApi.as_view(), name="audit-list"),
    path("audit/verify/", researcher_apis.PlatformVerifyApi.as_view(), name="audit-verify"),
]
