"""URLs of the rights app on a study host: `urlpatterns` (pages) and `api_urlpatterns` (under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from rights import apis, manage_views, researcher_apis, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("my-data/", views.my_data_page, name="my-data"),
    path("my-data/download/", views.my_data_download, name="my-data-download"),
    path("my-data/certificate/<uuid:request_id>/", views.certificate_page, name="my-data-certificate"),
    path("manage/deletion-requests/", manage_views.DeletionRequestsPage.as_view(), name="study-manage-deletion"),
]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("me/data/", apis.MyDataApi.as_view(), name="me-data"),
    path("me/deletion-request/", apis.MyDeletionRequestApi.as_view(), name="me-deletion-request"),
    path(
        "deletion-certificates/<uuid:request_id>/",
        apis.DeletionCertificateApi.as_view(),
        name="deletion-certificate",
    ),
    path("deletion-requests/", researcher_apis.DeletionRequestListApi.as_view(), name="deletion-requests"),
    path(
        "deletion-requests/<uuid:request_id>/",
        researcher_apis.DeletionRequestDetailApi.as_view(),
        name="deletion-request",
    ),
    path(
        "deletion-requests/<uuid:request_id>/verify/",
        researcher_apis.DeletionRequestVerifyApi.as_view(),
        name="deletion-request-verify",
    ),
    path(
        "deletion-requests/<uuid:request_id>/execute/",
        researcher_apis.DeletionRequestExecuteApi.as_view(),
        name="deletion-request-execute",
    ),
    path(
        "deletion-requests/<uuid:request_id>/reject/",
        researcher_apis.DeletionRequestRejectApi.as_view(),
        name="deletion-request-reject",
    ),
    path("rights/settings/", researcher_apis.RightsSettingsApi.as_view(), name="rights-settings"),
]
