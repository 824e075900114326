"""The tenant recipe every test uses.

The test database is migrated once per run (public, the study template), then two studies,
``alpha`` and ``beta``, are provisioned once by cloning, exactly as in production. A test asks
for ``in_alpha``/``in_beta`` to run inside that study's schema, or for a client bound to a host.
Each test still runs in a transaction that is rolled back, so studies stay empty between tests.
"""

from __future__ import annotations

from collections.abc import Iterator

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


@pytest.fixture(autouse=True)
def _back_to_public() -> Iterator[None]:
    """Whatever a test activated, the next one starts in public."""
    yield
    connection.set_schema_to_public()


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
