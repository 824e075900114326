"""Study-host API routes that belong to participants (bearer token) or to anyone (e.g. the current
consent document). They are tested by their own apps; researcher routes belong in the matrix."""

PARTICIPANT_ROUTES: set[str] = set()
