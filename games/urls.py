"""URLs of the games app on a study host: `urlpatterns` (pages) and `api_urlpatterns` (under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from games import apis, researcher_apis
from games.views import play_page

urlpatterns: list[URLPattern | URLResolver] = [
    path("play/", play_page, name="play"),
    path("game/schemas/bart-events-1.json", apis.event_schema_file, name="game-event-schema-file"),
]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("game/event-schema/", apis.EventSchemaApi.as_view(), name="game-event-schema"),
    path("game/sessions/", apis.GameSessionStartApi.as_view(), name="game-sessions"),
    path("game/sessions/<uuid:session_id>/", apis.GameSessionDetailApi.as_view(), name="game-session"),
    path("game/sessions/<uuid:session_id>/events/", apis.session_events_view, name="game-session-events"),
    path("game/sessions/<uuid:session_id>/confirm/", apis.GameSessionConfirmApi.as_view(), name="game-session-confirm"),
    path(
        "game/sessions/<uuid:session_id>/complete/", apis.GameSessionCompleteApi.as_view(), name="game-session-complete"
    ),
    # GET the researchers' list (it counts sessions), POST consent's enrolment: games/researcher_apis.py.
    path("participants/", researcher_apis.ParticipantsApi.as_view(), name="participants"),
    path("sessions/", researcher_apis.SessionListApi.as_view(), name="sessions"),
    path("sessions/<uuid:session_id>/balloons/", researcher_apis.SessionBalloonsApi.as_view(), name="session-balloons"),
    path("sessions/<uuid:session_id>/events/", researcher_apis.SessionEventsApi.as_view(), name="session-events"),
]
