"""A row written in one study's schema is invisible from another study and from public."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.utils import ProgrammingError
from django_tenants.utils import tenant_context

from consent.models import ConsentDocument
from consent.services import consent_document_draft


def test_a_row_in_alpha_is_invisible_from_beta(alpha, beta):
    with tenant_context(alpha):
        consent_document_draft(version="a-1", title="Alpha consent", body="Alpha text")
        assert ConsentDocument.objects.filter(version="a-1").count() == 1
    with tenant_context(beta):
        assert ConsentDocument.objects.count() == 0
    with tenant_context(alpha):
        assert ConsentDocument.objects.count() == 1


def test_study_tables_do_not_exist_in_public(alpha):
    with tenant_context(alpha):
        consent_document_draft(version="a-1", title="Alpha consent", body="Alpha text")
    connection.set_schema_to_public()
    with pytest.raises(ProgrammingError), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM consent_consentdocument")


def test_each_study_has_its_own_schema(alpha, beta):
    assert alpha.schema_name != beta.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'consent_consentdocument' "
            "AND table_schema IN (%s, %s)",
            [alpha.schema_name, beta.schema_name],
        )
        assert cursor.fetchone()[0] == 2


def test_the_same_version_label_may_exist_in_two_studies(alpha, beta):
    with tenant_context(alpha):
        consent_document_draft(version="1.0", title="A", body="a")
    with tenant_context(beta):
        consent_document_draft(version="1.0", title="B", body="b")
        assert ConsentDocument.objects.get(version="1.0").title == "B"
