"""The consent document list (API and manage page) costs the same number of queries for 3 versions as for 10."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from consent.services import consent_document_draft
from tests.conftest import api_client_for, queries_of_get, signed_in
from tests.consent.support import publish


def _versions(study, numbers: range, author) -> None:
    for n in numbers:
        publish(study, version=f"{n}.0", body=f"Terms {n}.")
    with tenant_context(study):
        consent_document_draft(version=f"{numbers[-1]}.1", title="Draft", body="Next.", acting_user=author)


def test_the_consent_documents_do_not_grow_queries_with_versions(cast, alpha):
    api = api_client_for(cast["viewer"], alpha.domain_name)
    page = signed_in(cast["manager"], alpha.domain_name)
    _versions(alpha, range(1, 3), cast["manager"])
    few = (queries_of_get(api, "/api/v1/consent/documents/"), queries_of_get(page, "/manage/consent/"))
    _versions(alpha, range(3, 10), cast["manager"])
    assert len(api.get("/api/v1/consent/documents/").json()) == 11
    many = (queries_of_get(api, "/api/v1/consent/documents/"), queries_of_get(page, "/manage/consent/"))
    assert many == few
