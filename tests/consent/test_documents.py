"""Consent documents: published versions are immutable and exactly one is current."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from consent.canonical import consent_sha256
from consent.models import ConsentDocument
from consent.selectors import consent_document_current
from consent.services import consent_document_draft, consent_document_publish
from core.errors import ApplicationError


def test_publishing_sets_the_hash_and_makes_it_current(in_alpha):
    doc = consent_document_publish(document=consent_document_draft(version="1", title="T", body="Body"))
    assert doc.status == "published"
    assert doc.sha256 == consent_sha256(version="1", title="T", language="en", body="Body")
    assert consent_document_current() == doc


def test_publishing_a_new_version_retires_the_old_one(in_alpha):
    first = consent_document_publish(document=consent_document_draft(version="1", title="T", body="one"))
    second = consent_document_publish(document=consent_document_draft(version="2", title="T", body="two"))
    first.refresh_from_db()
    assert first.status == "retired" and first.retired_at is not None
    assert consent_document_current() == second


def test_a_published_document_cannot_be_edited(in_alpha):
    doc = consent_document_publish(document=consent_document_draft(version="1", title="T", body="Body"))
    doc.body = "Different words"
    with pytest.raises(ValidationError):
        doc.save()
    assert ConsentDocument.objects.get(pk=doc.pk).body == "Body"


def test_a_version_label_is_used_once(in_alpha):
    consent_document_draft(version="1", title="T", body="Body")
    with pytest.raises(ApplicationError) as info:
        consent_document_draft(version="1", title="T", body="Other")
    assert info.value.code == "version_taken"


def test_the_hash_ignores_line_endings_and_trailing_spaces():
    a = consent_sha256(version="1", title="T", language="en", body="Line one  \r\nLine two\r\n")
    b = consent_sha256(version="1", title="T", language="en", body="Line one\nLine two")
    assert a == b
    assert a != consent_sha256(version="1", title="T", language="en", body="Line one\nLine 2")
