"""The flow builder's pages on a study host (dashboard/flow_views.py), under /manage/flow/."""

from django.urls import URLPattern, URLResolver, path

from dashboard import flow_views

flow_urlpatterns: list[URLPattern | URLResolver] = [
    path("manage/flow/", flow_views.FlowPage.as_view(), name="study-flow"),
    path("manage/flow/edit/", flow_views.FlowEdit.as_view(), name="study-flow-edit"),
    path("manage/flow/discard/", flow_views.FlowDiscard.as_view(), name="study-flow-discard"),
    path("manage/flow/publish/", flow_views.FlowPublish.as_view(), name="study-flow-publish"),
    path("manage/flow/steps/new/", flow_views.FlowStepAdd.as_view(), name="study-flow-step-add"),
    path("manage/flow/steps/<str:key>/", flow_views.FlowStepEdit.as_view(), name="study-flow-step"),
    path("manage/flow/steps/<str:key>/move/", flow_views.FlowStepMove.as_view(), name="study-flow-step-move"),
    path("manage/flow/conditions/", flow_views.FlowConditions.as_view(), name="study-flow-conditions"),
    path("manage/flow/sessions/", flow_views.FlowSessions.as_view(), name="study-flow-sessions"),
    path("manage/flow/preview/<str:key>/", flow_views.FlowPreview.as_view(), name="study-flow-preview"),
]
