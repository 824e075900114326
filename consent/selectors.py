"""Reads on consent documents, records and settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, Prefetch, Q, QuerySet

from consent.models import ConsentDocument, ConsentRecord, ConsentSettings
from pseudonymization.models import Participant


def consent_document_current() -> ConsentDocument | None:
    return ConsentDocument.objects.filter(status=ConsentDocument.Status.PUBLISHED).first()


def consent_settings_get() -> ConsentSettings:
    """The study's settings row, or an unsaved row holding the defaults."""
    return ConsentSettings.get()


def participant_has_active_consent(*, participant: Participant) -> bool:
    """True when the participant may take part now.

    They must not have withdrawn, and must hold an agreement that was not withdrawn; when the
    study requires re-consent, that agreement must be to the currently published version.
    """
    if participant.status != Participant.Status.ACTIVE:
        return False
    # One query on every participant request (each game batch): the settings row is a subquery.
    reconsent_required = Exists(ConsentSettings.objects.filter(singleton=True, require_reconsent=True))
    return (
        ConsentRecord.objects.filter(participant=participant, withdrawn_at__isnull=True)
        .filter(Q(document__status=ConsentDocument.Status.PUBLISHED) | ~reconsent_required)
        .exists()
    )


def active_consent_sql(participant_column: str) -> str:
    """participant_has_active_consent as an SQL boolean over ``participant_column`` (an id column).

    For hot paths that fold the consent gate into a statement they must run anyway (the game's
    event batches, games/ingestion.py); tests/consent/test_active_consent_sql.py holds it to the
    Python rule above in every combination of status, withdrawal, version and re-consent.
    """
    record, document, settings = (m._meta.db_table for m in (ConsentRecord, ConsentDocument, ConsentSettings))
    return (
        f"EXISTS (SELECT 1 FROM {record} r JOIN {document} d ON d.id = r.document_id "
        f"WHERE r.participant_id = {participant_column} AND r.withdrawn_at IS NULL "
        f"AND (d.status = '{ConsentDocument.Status.PUBLISHED.value}' OR NOT EXISTS "
        f"(SELECT 1 FROM {settings} cs WHERE cs.singleton AND cs.require_reconsent)))"
    )


def consent_documents_list() -> list[ConsentDocument]:
    """Every version, newest first (drafts, the current one, retired ones)."""
    return list(ConsentDocument.objects.order_by("-created_at", "-id"))


def consent_document_get(*, version: str, status: str | None = None) -> ConsentDocument | None:
    """The document of that version (with that status, if given), or None."""
    documents = ConsentDocument.objects.filter(version=version)
    return (documents.filter(status=status) if status else documents).first()


def consent_documents_with_agreements() -> QuerySet[ConsentDocument]:
    """Every version, newest first, each with its number of agreements (``agreements``): one query."""
    return ConsentDocument.objects.annotate(agreements=Count("records")).order_by("-created_at", "-id")


# Where consent_records_prefetch() puts a participant's records; consent_state reads it from there.
RECORDS_ATTR = "records_newest_first"


def consent_records_prefetch() -> Prefetch:
    """A participant's consent records with their documents, newest first, for consent_state on a list."""
    return Prefetch(
        "consent_records",
        queryset=ConsentRecord.objects.select_related("document").order_by("-agreed_at", "-id"),
        to_attr=RECORDS_ATTR,
    )


@dataclass(frozen=True)
class ConsentState:
    state: str  # "current" | "outdated" | "withdrawn" | "none"
    version: str | None
    agreed_at: datetime | None
    method: str | None


def consent_state(*, participant: Participant, require_reconsent: bool) -> ConsentState:
    """What the researcher list says about a participant's consent (uses consent_records_prefetch's records)."""
    records = getattr(participant, RECORDS_ATTR, None)
    if records is None:
        records = list(participant.consent_records.select_related("document").order_by("-agreed_at", "-id"))
    if not records:
        return ConsentState("none", None, None, None)
    latest = records[0]
    if participant.status != Participant.Status.ACTIVE or latest.withdrawn_at is not None:
        state = "withdrawn"
    elif require_reconsent and latest.document.status != latest.document.Status.PUBLISHED:
        state = "outdated"
    else:
        state = "current"
    return ConsentState(state, latest.document.version, latest.agreed_at, latest.method)


def completion_url(*, participant: Participant) -> str | None:
    """Where to send ``participant`` after the game (e.g. Prolific's completion URL), or None.

    The study sets it in its consent settings; ``{participant_code}`` is replaced by the code.
    Only http(s) addresses are ever returned, so a stored value cannot become a script link.
    """
    template = consent_settings_get().completion_url.strip()
    if not template.lower().startswith(("https://", "http://")):
        return None
    return template.replace("{participant_code}", participant.participant_code)
