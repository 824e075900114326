"""Writes on participants: enrol (with an optional external id), tokens, withdrawal, crypto-shredding."""

from __future__ import annotations

import base64
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_access
from core.errors import ApplicationError
from pseudonymization import crypto, keyring
from pseudonymization.models import Participant, ParticipantKey, ParticipantToken

DEFAULT_TOKEN_LIFETIME = timedelta(hours=24)


def normalized_external_id(raw: object) -> str:
    """The cleaned id, or a 400 that names the field (never the value: it identifies someone)."""
    try:
        return crypto.normalize_external_id(raw)
    except crypto.InvalidExternalId as exc:
        raise ApplicationError(
            "invalid", "The request is not valid.", details={"external_id": [f"The external id {exc}."]}
        ) from exc


def _create_with_fresh_code(**fields: object) -> Participant:
    for _ in range(8):
        try:
            with transaction.atomic():
                return Participant.objects.create(participant_code=crypto.new_participant_code(), **fields)
        except IntegrityError:
            if (
                fields.get("external_id_index")
                and Participant.objects.filter(external_id_index=fields["external_id_index"]).exists()
            ):
                raise
            continue  # a code collision (about 1 in 10^11 per participant): draw again
    raise RuntimeError("could not draw an unused participant code")


@transaction.atomic
def participant_enrol(*, external_id: str | None = None, pilot: bool = False) -> Participant:
    """A new participant, always: an external id alone never yields an existing one.

    ``pilot``: the study is piloting now (the consent service says so); the mark stays for good.

    Anyone who knows a panel id (every lab that recruited the person sees it) could otherwise take
    over that participant. When the id already took part here, the newcomer is a separate, empty
    participant marked ``duplicate_of`` the first (who is untouched), and the caller's answer is
    the same as for a first enrolment, so it tells nothing about who took part. Returning people
    continue with what only they hold: their browser's token (docs/security.md, finding 1).

    The id is stored only as AES-GCM ciphertext under a fresh data key; the first participant with
    an id also holds its blind index (HMAC under the study's index key), to recognise it again.
    """
    if external_id is None:
        return _create_with_fresh_code(pilot=pilot)
    cleaned = normalized_external_id(external_id)
    index = crypto.blind_index(keyring.index_key(), cleaned)
    earlier = Participant.objects.filter(external_id_index=index).first()
    if earlier is None:
        try:
            participant = _create_with_fresh_code(external_id_index=index, pilot=pilot)
        except IntegrityError:  # the same id arrived twice at once; the other request won
            earlier = Participant.objects.get(external_id_index=index)
    if earlier is not None:
        participant = _create_with_fresh_code(duplicate_of=earlier, pilot=pilot)
    data_key = crypto.generate_key()
    code = participant.participant_code
    ParticipantKey.objects.create(
        participant=participant,
        wrapped_key=crypto.seal(keyring.participant_kek(), data_key, aad=crypto.participant_key_aad(code)),
    )
    participant.external_id_ciphertext = crypto.seal(
        data_key, cleaned.encode("utf-8"), aad=crypto.external_id_aad(code)
    )
    participant.save(update_fields=["external_id_ciphertext"])
    return participant


def participant_holds_external_id(*, participant: Participant, external_id: str) -> bool:
    """True when ``participant`` enrolled with this (normalised, case-folded) id.

    The first participant of an id holds its blind index; a duplicate enrolment holds only the
    encrypted id, which is opened to compare (the browser already proved it is this participant).
    """
    cleaned = normalized_external_id(external_id)
    if participant.external_id_index is not None:
        return participant.external_id_index == crypto.blind_index(keyring.index_key(), cleaned)
    # Opened only to compare, never shown or logged: not a re-identification, so not audited as one.
    stored = participant_external_id(participant=participant) if participant.external_id_ciphertext else None
    return stored is not None and stored.casefold() == cleaned.casefold()


def participant_external_id(*, participant: Participant) -> str | None:
    """Decrypt the external id (None when there is none or its key was shredded).

    Only re-identification (permissioned and audited) and the participant's own data export call this.
    """
    key_row = ParticipantKey.objects.filter(participant=participant).first()
    if key_row is None or participant.external_id_ciphertext is None:
        return None
    code = participant.participant_code
    try:
        data_key = crypto.open_sealed(
            keyring.participant_kek(), bytes(key_row.wrapped_key), aad=crypto.participant_key_aad(code)
        )
        ciphertext = bytes(participant.external_id_ciphertext)
        plain = crypto.open_sealed(data_key, ciphertext, aad=crypto.external_id_aad(code))
    except crypto.DecryptionError as exc:
        raise keyring.KeyUnavailable(f"The identifier of participant {code} does not decrypt.") from exc
    return plain.decode("utf-8")


@transaction.atomic
def participant_shred_key(*, participant: Participant) -> bool:
    """Crypto-shredding: destroy the data key and the blind index; the identifier is then unrecoverable.

    The ciphertext is dropped too (it is useless without the key, and copies in old backups stay
    useless because the key row is gone from every later backup). Returns True when a key existed.
    """
    deleted, _ = ParticipantKey.objects.filter(participant=participant).delete()
    Participant.objects.filter(pk=participant.pk).update(external_id_index=None, external_id_ciphertext=None)
    participant.external_id_index = None
    participant.external_id_ciphertext = None
    return deleted > 0


@transaction.atomic
def token_issue(
    *, participant: Participant, lifetime: timedelta = DEFAULT_TOKEN_LIFETIME
) -> tuple[str, ParticipantToken]:
    """A new bearer token; the clear token is returned once and never stored."""
    token = crypto.new_token()
    row = ParticipantToken.objects.create(
        participant=participant, token_hash=crypto.token_hash(token), expires_at=timezone.now() + lifetime
    )
    return token, row


@transaction.atomic
def tokens_revoke_all(*, participant: Participant) -> int:
    return ParticipantToken.objects.filter(participant=participant, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def participant_mark_withdrawn(*, participant: Participant) -> Participant:
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status == Participant.Status.ACTIVE:
        participant.status = Participant.Status.WITHDRAWN
        participant.withdrawn_at = timezone.now()
        participant.save(update_fields=["status", "withdrawn_at"])
    return participant


@transaction.atomic
def participant_reidentify(*, participant: Participant, acting_user: object, reason: str) -> str | None:
    """Decrypt the external id for a permitted researcher with a stated reason; the read is audited.

    The audit entry is written in the same transaction as the read, before the id leaves: an
    audit failure means no identifier is returned.
    """
    reason = reason.strip()
    if len(reason) < 10:
        raise ApplicationError(
            "invalid", "The request is not valid.", details={"reason": ["State why (10+ characters)."]}
        )
    audit_access(
        action="reidentify",
        obj=participant,
        actor=acting_user,
        reason=reason,
        details={"participant_code": participant.participant_code, "had_external_id": participant.has_external_id},
    )
    return participant_external_id(participant=participant)


# --- Free text a participant typed (questionnaires' text items): sealed under their own data key ---
SEALED_PREFIX = "sealed:v1:"


def _free_text_aad(participant_id: int) -> bytes:
    # The row id, not the code: the code changes when a participant is erased (by then the text is gone).
    return f"free-text|{participant_id}".encode()


def _data_key(participant: Participant, *, create: bool) -> bytes | None:
    """The participant's data key (the one their identifier is sealed under), made on first need."""
    row = ParticipantKey.objects.filter(participant=participant).first()
    if row is None and create:
        with transaction.atomic():
            Participant.objects.select_for_update().filter(pk=participant.pk).first()  # one key, even at once
            row = ParticipantKey.objects.filter(participant=participant).first()
            if row is None:
                row = ParticipantKey.objects.create(
                    participant=participant,
                    wrapped_key=crypto.seal(
                        keyring.participant_kek(),
                        crypto.generate_key(),
                        aad=crypto.participant_key_aad(participant.participant_code),
                    ),
                )
    if row is None:
        return None
    try:
        return crypto.open_sealed(
            keyring.participant_kek(),
            bytes(row.wrapped_key),
            aad=crypto.participant_key_aad(participant.participant_code),
        )
    except crypto.DecryptionError as exc:
        raise keyring.KeyUnavailable(f"The key of participant {participant.participant_code} does not open.") from exc


def participant_seal_text(*, participant: Participant, text: str) -> str:
    """``text`` sealed (AES-GCM) under the participant's data key, as a string to store in JSON.

    Free text may identify someone despite the page's warning, so it is never stored in clear;
    erasure shreds the key (rights.erasure), after which no copy, in any backup, opens again.
    """
    key = _data_key(participant, create=True)
    assert key is not None
    sealed = crypto.seal(key, text.encode("utf-8"), aad=_free_text_aad(participant.pk))
    return SEALED_PREFIX + base64.b64encode(sealed).decode("ascii")


def is_sealed_text(value: object) -> bool:
    return isinstance(value, str) and value.startswith(SEALED_PREFIX)


def participant_open_text(*, participant: Participant, sealed: str) -> str | None:
    """The text again, for the participant's own pages and exports that may hold it; None once shredded."""
    key = _data_key(participant, create=False)
    if key is None:
        return None
    raw = base64.b64decode(sealed[len(SEALED_PREFIX) :])
    try:
        return crypto.open_sealed(key, raw, aad=_free_text_aad(participant.pk)).decode("utf-8")
    except crypto.DecryptionError as exc:
        raise keyring.KeyUnavailable(f"A free-text answer of {participant.participant_code} does not open.") from exc
