"""The one place that says which models are audited, and how (add your app's models HERE).

Every model listed in ``AUDITED`` gets django-auditlog's create/update/delete entries in the
hash-chained log of the schema it lives in. Rules for a new entry:

- exclude (or mask) every field that could identify a person: external ids, ciphertexts, blind
  indexes, key material, token hashes, free-text reasons, names, e-mails;
- skip high-volume raw data (game events): log the lifecycle rows (sessions, profiles) instead;
- give the model a safe representation in ``SAFE_REPR`` when ``str()`` could contain a name;
  the default is "<model> <pk>".

A label that names no model stops the start-up (LookupError): a typo must not leave a model unaudited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditlog.registry import auditlog
from auditlog.signals import pre_log
from django.apps import apps
from django.db import models

from audit.context import set_pending
from core.study import current_study_slug, is_study

# label -> keyword arguments of auditlog.register (exclude_fields, include_fields, mask_fields).
AUDITED: dict[str, dict[str, Any]] = {
    # Platform (public schema).
    "tenants.Study": {"exclude_fields": ["updated_at", "description"]},
    "tenants.Domain": {},
    "tenants.StudyMembership": {"exclude_fields": ["granted_at"]},
    "tenants.StudyUserObjectPermission": {},  # guardian's rows: what is actually enforced
    # Accounts: only what changes access. Names, e-mails, passwords stay out of the log.
    "auth.User": {"include_fields": ["is_active", "is_staff", "is_superuser"]},
    # Consent (study schemas). The body is covered by its sha256; reasons are free text.
    "consent.ConsentDocument": {"exclude_fields": ["body"]},
    "consent.ConsentRecord": {"exclude_fields": ["withdrawal_reason"]},
    "consent.ConsentSettings": {"exclude_fields": ["updated_at"]},
    # Pseudonymization: never the identifier, its index or any key material.
    "pseudonymization.Participant": {
        "exclude_fields": ["external_id_index", "external_id_ciphertext"],
    },
    "pseudonymization.StudyKey": {"exclude_fields": ["wrapped_key"]},
    "pseudonymization.ParticipantKey": {"exclude_fields": ["wrapped_key"]},  # deletion = crypto-shredding
    "pseudonymization.ParticipantToken": {"exclude_fields": ["token_hash"]},
    # Flows: versions (the definition is the design) and each participant's drawn condition.
    "flows.FlowVersion": {},
    "flows.ParticipantFlow": {},
    # Questionnaires: versions (the items are covered by sha256) and responses' lifecycle, never answers.
    "questionnaires.Questionnaire": {"exclude_fields": ["definition"]},
    "questionnaires.QuestionnaireResponse": {"exclude_fields": ["answers", "scores"]},
    # Games and traits: lifecycle rows only (events are raw data, not audited one by one).
    "games.GameSession": {"exclude_fields": ["client_info", "schedule", "config"]},
    # The protocol's values were audited on tenants.Study (game_config) until #19 moved them here.
    "games.GameSettings": {"exclude_fields": ["updated_at"]},
    "traits.TraitProfile": {},
    "traits.ModelFit": {},
    "traits.SessionMetrics": {},
    # Participant rights (issue 8) and exports (issue 9).
    "rights.DeletionRequest": {"exclude_fields": ["rejection_reason", "steps_done"]},  # free text; progress
    "rights.RightsSettings": {"exclude_fields": ["updated_at"]},
    "dashboard.ExportJob": {},
}


def _slug_of_study(study: Any) -> str:
    return getattr(study, "slug", "") or ""


def _membership_repr(m: Any) -> str:
    return f"membership {m.pk}: user:{m.user_id} is {m.role} of {m.study.slug}"


def _permission_repr(p: Any) -> str:
    return f"permission {p.permission.codename} of user:{p.user_id} on {p.content_object.slug}"


# label_lower -> function(instance) -> representation without personal data.
SAFE_REPR: dict[str, Callable[[Any], str]] = {
    "tenants.study": lambda s: s.slug,
    "tenants.domain": lambda d: d.domain,
    "tenants.studymembership": _membership_repr,
    "tenants.studyuserobjectpermission": _permission_repr,
    "auth.user": lambda u: f"user:{u.pk}",
    "pseudonymization.participant": lambda p: p.participant_code,
    "consent.consentdocument": lambda d: f"consent document v{d.version} ({d.status})",
}


def safe_repr(instance: models.Model) -> str:
    fallback = f"{instance._meta.model_name} {instance.pk}"
    render = SAFE_REPR.get(instance._meta.label_lower)
    if render is None:
        return fallback
    try:
        return render(instance)
    except Exception:  # a related row may already be gone (deletes): the plain form will do
        return fallback


def study_of(instance: models.Model | None) -> str:
    """The study an object belongs to: its own slug, its ``study``/``content_object``, or the schema's."""
    if is_study(instance):
        return _slug_of_study(instance)
    for attr in ("study", "content_object", "tenant"):
        related = getattr(instance, attr, None) if instance is not None else None
        if is_study(related):
            return _slug_of_study(related)
    return current_study_slug()


def _before_log(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    set_pending((sender._meta.label_lower, str(instance.pk)), study_of(instance), safe_repr(instance))


def register_all() -> list[str]:
    """Register every listed model; return the labels registered. An unknown label raises LookupError."""
    registered = []
    for label, options in AUDITED.items():
        model = apps.get_model(label)
        if not auditlog.contains(model):
            auditlog.register(model, **options)
        registered.append(label)
    pre_log.connect(_before_log, dispatch_uid="audit_before_log")
    return registered
