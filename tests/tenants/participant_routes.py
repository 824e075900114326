"""Study-host API routes that belong to participants (bearer token) or to anyone (e.g. the current
consent document). They are tested by their own apps; researcher routes belong in the matrix."""

PARTICIPANT_ROUTES: set[str] = {
    "api/v1/consent/",  # consent app: anyone reads the current document
    "api/v1/participants/",  # games app routes it; POST is consent's enrolment (the GET list is in the matrix)
    "api/v1/me/withdraw/",  # consent app: a participant withdraws
    "api/v1/me/data/",  # rights app: the participant's own data (tests/rights/test_my_data.py)
    "api/v1/me/deletion-request/",  # rights app: file / see one's deletion request
    "api/v1/deletion-certificates/<uuid:request_id>/",  # rights app: the request id is the capability
    "api/v1/game/event-schema/",  # games app: anyone reads the bart-events/1 JSON Schema
    "api/v1/game/sessions/",  # games app: participant starts or resumes a session
    "api/v1/game/sessions/<uuid:session_id>/",
    "api/v1/game/sessions/<uuid:session_id>/events/",
    "api/v1/game/sessions/<uuid:session_id>/complete/",
    "api/v1/game/sessions/<uuid:session_id>/confirm/",  # server-confirmed pumps (tests/games/test_confirmation.py)
    "api/v1/me/profile/",  # traits app: the participant's own profile (tests/traits/test_apis.py)
    # questionnaires app: POST starts the questionnaire due (the GET list of responses is in the matrix)
    "api/v1/questionnaires/responses/",
    "api/v1/questionnaires/responses/<uuid:response_id>/",
    "api/v1/questionnaires/responses/<uuid:response_id>/events/",
    "api/v1/questionnaires/responses/<uuid:response_id>/submit/",
}
