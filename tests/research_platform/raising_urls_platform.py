"""Test-only URLconf of the platform host: the same raising views, in front of the real platform routes."""

from research_platform import urls_public
from tests.research_platform.raising_urls import RAISING

urlpatterns = [*RAISING, *urls_public.urlpatterns]
handler400 = urls_public.handler400
handler403 = urls_public.handler403
handler404 = urls_public.handler404
handler500 = urls_public.handler500
