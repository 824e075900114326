"""Study-host API routes that belong to participants (bearer token) or to anyone (e.g. the current
consent document). They are tested by their own apps; researcher routes belong in the matrix."""

PARTICIPANT_ROUTES: set[str] = {
    "api/v1/consent/",  # consent app: anyone reads the current document
    "api/v1/participants/",  # consent app: agreeing creates a participant (researchers' GET comes later)
}
