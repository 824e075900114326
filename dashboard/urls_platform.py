"""Platform-host URLs of the dashboard app: the front door ("My studies") and creating a study."""

from django.urls import URLPattern, URLResolver

from dashboard import home_views

urlpatterns: list[URLPattern | URLResolver] = [*home_views.urlpatterns]
