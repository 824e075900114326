"""URLs of the consent app on a study host: `urlpatterns` (pages) and `api_urlpatterns` (under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from consent import apis, manage_views, researcher_apis, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.consent_page, name="study-home"),
    path("consent/", views.consent_page, name="consent"),
    path("consent/declined/", views.declined_page, name="consent-declined"),
    path("withdraw/", views.withdraw_page, name="withdraw"),
    path("manage/consent/", manage_views.ManageConsentPage.as_view(), name="study-manage-consent"),
]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("consent/", apis.CurrentConsentApi.as_view(), name="consent-current"),
    path("consent/documents/", researcher_apis.ConsentDocumentListApi.as_view(), name="consent-documents"),
    path(
        "consent/documents/<str:version>/publish/",
        researcher_apis.ConsentDocumentPublishApi.as_view(),
        name="consent-document-publish",
    ),
    path("consent/settings/", researcher_apis.ConsentSettingsApi.as_view(), name="consent-settings"),
    path("me/withdraw/", apis.WithdrawApi.as_view(), name="me-withdraw"),
]
