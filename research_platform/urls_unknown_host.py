"""URLs of a host under the platform domain that names no study (tenants/middleware.py): only the favicon.

Every other address is a 404 through the same handler a study host uses for an address it does not
have (research_platform/error_views.py), so both answers are the same page.
"""

from django.urls import URLPattern

from research_platform import site_files

urlpatterns: list[URLPattern] = [*site_files.urlpatterns]

handler400 = "research_platform.error_views.bad_request"
handler403 = "research_platform.error_views.forbidden"
handler404 = "research_platform.error_views.not_found"
handler500 = "research_platform.error_views.server_failure"
