"""Demo consent document for the demo study (published once)."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from consent.models import ConsentDocument
from consent.services import consent_document_draft, consent_document_publish

# One paragraph a line: the page wraps the text itself (hard line breaks mid-sentence read badly on phones).
DEMO_CONSENT = (
    "You are invited to take part in a short study of decision making.\n\n"
    "What you will do: play the Balloon game for about 10 minutes. Each pump of a balloon earns money; "
    "a balloon may pop, and then the money for that balloon is lost.\n\n"
    "What we record: your choices and their timing, and technical context such as whether the game tab "
    "was visible. We do not record your name or e-mail. You receive a pseudonymous participant code: "
    "keep it.\n\n"
    "Your rights: taking part is voluntary. You may stop at any time, withdraw your consent, download "
    "your data and ask for it to be deleted, using your participant code.\n"
)


def seed_study_demo(*, study: Any, users: dict[str, Any]) -> list[str]:
    with tenant_context(study):
        if ConsentDocument.objects.exists():
            return []
        document = consent_document_draft(
            version="1.0",
            title="Consent to take part in the Balloon study",
            body=DEMO_CONSENT,
            acting_user=users["admin"],
        )
        consent_document_publish(document=document)
    return ["Published consent document v1.0 in the demo study."]
