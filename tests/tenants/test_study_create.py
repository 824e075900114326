"""study_create clones the template into a working study; bad input is refused clearly."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from consent.models import ConsentDocument
from tenants.models import Domain, Study
from tenants.services import StudyError, study_archive, study_create, study_delete, study_update
from tests.conftest import host_client


def test_create_study_command_produces_a_working_study_host(db, capsys):
    call_command("create_study", "gamma", "--title", "Gamma study")
    assert "by clone" in capsys.readouterr().out
    study = Study.objects.get(slug="gamma")
    assert study.schema_name == "study_gamma"
    assert schema_exists("study_gamma")
    assert Domain.objects.get(tenant=study).domain == "gamma.localhost"
    client = host_client("gamma.localhost")
    assert client.get("/healthz").json()["database"] == "ok"
    assert b"Gamma study" in client.get("/").content
    with tenant_context(study):
        assert ConsentDocument.objects.count() == 0  # the template carries tables, not data


def test_a_cloned_study_has_every_table_and_migration_of_the_template(db):
    study = study_create(slug="delta", title="Delta")
    with connection.cursor() as cursor:
        query = "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s"
        cursor.execute(query, ["study_template"])
        template_tables = cursor.fetchone()[0]
        cursor.execute(query, [study.schema_name])
        assert cursor.fetchone()[0] == template_tables > 1
        cursor.execute(f'SELECT count(*) FROM "{study.schema_name}".django_migrations')
        cloned = cursor.fetchone()[0]
        cursor.execute('SELECT count(*) FROM "study_template".django_migrations')
        assert cloned == cursor.fetchone()[0] > 0


def test_a_cloned_study_keeps_working_sequences(db):
    study = study_create(slug="epsilon", title="Epsilon")
    with tenant_context(study):
        first = ConsentDocument.objects.create(version="1", title="t", body="b")
        second = ConsentDocument.objects.create(version="2", title="t", body="b")
        assert second.pk == first.pk + 1


def test_a_study_created_by_migrations_matches_one_created_by_clone(db):
    by_clone = study_create(slug="clone-one", title="By clone")
    by_migrations = study_create(slug="migr-one", title="By migrations", by_migrations=True)
    with connection.cursor() as cursor:
        query = (
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s ORDER BY 1, 2"
        )
        cursor.execute(query, [by_clone.schema_name])
        clone_columns = cursor.fetchall()
        cursor.execute(query, [by_migrations.schema_name])
        assert cursor.fetchall() == clone_columns


@pytest.mark.parametrize(
    ("slug", "code"),
    [("A", "invalid_slug"), ("has_underscore", "invalid_slug"), ("9lives", "invalid_slug"), ("admin", "reserved_slug")],
)
def test_a_bad_slug_is_refused_with_a_code(db, slug, code):
    with pytest.raises(StudyError) as info:
        study_create(slug=slug, title="x")
    assert info.value.code == code
    assert not Study.objects.filter(slug=slug).exists()


def test_a_taken_slug_is_refused(alpha):
    with pytest.raises(StudyError) as info:
        study_create(slug="alpha", title="again")
    assert info.value.code == "slug_taken"


def test_status_changes_are_limited_to_the_lifecycle(alpha):
    study_update(study=alpha, status="closed")
    assert Study.objects.get(pk=alpha.pk).status == "closed"
    with pytest.raises(StudyError) as info:
        study_update(study=alpha, status="archived")
    assert info.value.code == "invalid_status"


def test_archiving_needs_the_slug_as_confirmation_and_freezes_the_study(db):
    study = study_create(slug="theta", title="Theta")
    with pytest.raises(StudyError):
        study_archive(study=study, confirm="yes")
    study_archive(study=study, confirm="theta")
    study.refresh_from_db()
    assert study.status == Study.Status.ARCHIVED and study.archived_at is not None
    assert schema_exists("study_theta")  # data is kept
    with pytest.raises(StudyError) as info:
        study_update(study=study, title="new")
    assert info.value.code == "study_archived"


def test_deleting_needs_confirmation_and_drops_the_schema(db):
    study = study_create(slug="iota", title="Iota")
    with pytest.raises(StudyError):
        study_delete(study=study, confirm="")
    assert schema_exists("study_iota")
    study_delete(study=study, confirm="iota")
    assert not Study.objects.filter(slug="iota").exists()
    assert not Domain.objects.filter(domain="iota.localhost").exists()
    assert not schema_exists("study_iota")
    assert host_client("iota.localhost").get("/").status_code == 404
