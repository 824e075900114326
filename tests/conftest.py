"""The tenant recipe every test uses.

The test database is migrated once per run (public, the study template), then two studies,
``alpha`` and ``beta``, are provisioned once by cloning, exactly as in production. A test asks
for ``in_alpha``/``in_beta`` to run inside that study's schema, or for a client bound to a host.
Each test still runs in a transaction that is rolled back, so studies stay empty between tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tenants.models import Study

TEST_STUDIES = ("alpha", "beta")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from tenants.services import study_create

    with django_db_blocker.unblock():
        for slug in TEST_STUDIES:
            if not Study.objects.filter(slug=slug).exists():
                study_create(slug=slug, title=f"Study {slug}")
        Study.objects.filter(slug__in=TEST_STUDIES).update(status=Study.Status.RECRUITING)
    yield
    with django_db_blocker.unblock():
        _end_other_sessions()


def _end_other_sessions() -> None:
    """Before the test database is dropped: let the sessions of stopped servers and workers end,
    then end any left over (a connection some thread never closed would make the drop fail)."""
    from tests.live import _wait_for_other_sessions_to_end

    _wait_for_other_sessions_to_end(timeout=3.0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _back_to_public() -> Iterator[None]:
    """Whatever a test activated, the next one starts in public."""
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """Rate-limit counters live in the (locmem) cache: every test starts with a full budget."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def alpha(db) -> Study:  # type: ignore[no-untyped-def]
    return Study.objects.get(slug="alpha")


@pytest.fixture
def beta(db) -> Study:  # type: ignore[no-untyped-def]
    return Study.objects.get(slug="beta")


@pytest.fixture
def in_alpha(alpha: Study) -> Iterator[Study]:
    connection.set_tenant(alpha)
    yield alpha
    connection.set_schema_to_public()


@pytest.fixture
def in_beta(beta: Study) -> Iterator[Study]:
    connection.set_tenant(beta)
    yield beta
    connection.set_schema_to_public()


def host_client(host: str, **defaults: str) -> Client:
    return Client(HTTP_HOST=host, **defaults)


@pytest.fixture
def platform_client(db) -> Client:  # type: ignore[no-untyped-def]
    return host_client(settings.PLATFORM_DOMAIN)


@pytest.fixture
def alpha_client(alpha: Study) -> Client:
    return host_client(alpha.domain_name)


@pytest.fixture
def beta_client(beta: Study) -> Client:
    return host_client(beta.domain_name)


# --- The cast: who must be let in and who must be refused ------------------------------------
ROLE_ACTORS = ("manager", "analyst", "viewer", "compliance")
ALL_ACTORS = ("admin", *ROLE_ACTORS, "outsider", "other_manager", "anonymous")


@pytest.fixture
def cast(alpha: Study, beta: Study) -> dict:
    """A platform admin, one user per role on alpha, an outsider and beta's manager.

    Returns {actor: user or None}; ``anonymous`` maps to None. Roles are granted through the
    real service, as in production.
    """
    from django.contrib.auth import get_user_model

    from tenants.membership import membership_grant

    user_model = get_user_model()
    people: dict = {"anonymous": None}
    people["admin"] = user_model.objects.create_user(
        "t_admin", password="pw-admin-123", is_staff=True, is_superuser=True
    )
    for role in ROLE_ACTORS:
        people[role] = user_model.objects.create_user(f"t_{role}", password=f"pw-{role}-123")
        membership_grant(study=alpha, user=people[role], role=role)
    people["outsider"] = user_model.objects.create_user("t_outsider", password="pw-outsider-123")
    people["other_manager"] = user_model.objects.create_user("t_other", password="pw-other-123")
    membership_grant(study=beta, user=people["other_manager"], role="manager")
    return people


# --- The participant cast: someone consented, someone beside them, someone gone, someone elsewhere
@dataclass
class Enrolled:
    """A participant who consented through the API: their code, their bearer token and their row."""

    code: str
    token: str
    participant: Any

    @property
    def auth(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}


def enrolled(study: Study, client: Client, external_id: str | None = None, *, document: Any = None) -> Enrolled:
    """Enrol and consent one participant of ``study`` through POST /api/v1/participants/, as a browser does.

    The study's published consent document is used (one is published if there is none yet).
    """
    from django_tenants.utils import tenant_context

    from consent.selectors import consent_document_current
    from pseudonymization.models import Participant
    from tests.consent.support import enrol, publish

    if document is None:
        with tenant_context(study):
            document = consent_document_current()
        document = document or publish(study)
    response = enrol(client, document, **({"external_id": external_id} if external_id else {}))
    assert response.status_code == 201, response.content
    body = response.json()
    with tenant_context(study):
        participant = Participant.objects.get(participant_code=body["participant_code"])
    return Enrolled(code=body["participant_code"], token=body["token"], participant=participant)


@pytest.fixture
def participant(alpha: Study, alpha_client: Client) -> Enrolled:
    """A participant of alpha who consented and holds a live token."""
    return enrolled(alpha, alpha_client)


@pytest.fixture
def other_participant(alpha: Study, alpha_client: Client) -> Enrolled:
    """A second consented participant of alpha: the one whose data must not show up."""
    return enrolled(alpha, alpha_client)


@pytest.fixture
def withdrawn_participant(alpha: Study, alpha_client: Client) -> Enrolled:
    """A participant of alpha who consented, then withdrew (through the real service): tokens revoked."""
    from django_tenants.utils import tenant_context

    from consent.services import consent_withdraw

    person = enrolled(alpha, alpha_client)
    with tenant_context(alpha):
        person.participant = consent_withdraw(participant=person.participant)
    return person


@pytest.fixture
def beta_participant(beta: Study, beta_client: Client) -> Enrolled:
    """A consented participant of the other study, beta."""
    return enrolled(beta, beta_client)


def api_client_for(user, host: str):  # type: ignore[no-untyped-def]
    """A DRF client on ``host`` authenticated by the user's API token (or anonymous)."""
    from rest_framework.test import APIClient

    from tenants.credentials import api_token_issue

    client = APIClient(HTTP_HOST=host)
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)}")
    return client


def signed_in(user: Any, host: str) -> Client:
    """A browser on ``host`` with ``user``'s session (the researcher pages)."""
    client = host_client(host)
    client.force_login(user)
    return client


def queries_of_get(client: Any, path: str, params: dict | None = None, **headers: str) -> int:
    """How many SQL queries one GET of ``path`` costs (it must answer 200)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {}, **headers)
    assert response.status_code == 200, response.content[:500]
    return len(queries)
