"""Studies are provisioned by replaying the template's DDL: same objects as the template, any number of studies."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from tenants import template_ddl
from tenants.models import Study
from tenants.services import study_create

CATALOG = {
    "tables": "SELECT count(*) FROM pg_tables WHERE schemaname = %s",
    "indexes": "SELECT count(*) FROM pg_indexes WHERE schemaname = %s",
    "constraints": "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
    " WHERE n.nspname = %s",
    "triggers": "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal",
    "functions": "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s",
    "migrations": None,
}


def _shape(schema: str) -> dict[str, int]:
    shape = {}
    with connection.cursor() as cursor:
        for name, sql in CATALOG.items():
            cursor.execute(sql or f'SELECT count(*) FROM "{schema}".django_migrations', [schema] if sql else [])
            shape[name] = cursor.fetchone()[0]
    return shape


def test_pg_dump_is_usable_here() -> None:
    assert template_ddl.pg_dump_binary() is not None


def test_a_new_study_has_exactly_the_templates_objects(db) -> None:
    study = study_create(slug="ddl-shape", title="DDL")
    template, created = _shape(settings.TENANT_BASE_SCHEMA), _shape(study.schema_name)
    assert created == template
    assert template["tables"] > 10 and template["triggers"] > 0 and template["migrations"] > 10


def test_the_ddl_path_is_taken_and_its_triggers_are_the_new_schemas_own(db) -> None:
    connection.set_schema_to_public()
    assert template_ddl.create_schema_from_template("study_ddl_direct") is True
    with connection.cursor() as cursor:
        # Trigger functions are the new schema's, not the template's (a clone must not share them).
        cursor.execute(
            "SELECT DISTINCT pn.nspname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = t.tgfoid"
            " JOIN pg_namespace pn ON pn.oid = p.pronamespace WHERE n.nspname = %s AND NOT t.tgisinternal",
            ["study_ddl_direct"],
        )
        assert [row[0] for row in cursor.fetchall()] == ["study_ddl_direct"]
        # The copied migration records left the id sequence past them: the next record inserts.
        cursor.execute("INSERT INTO study_ddl_direct.django_migrations (app, name, applied) VALUES ('x', 'y', now())")


def test_the_session_keeps_its_search_path_after_provisioning(db) -> None:
    study = study_create(slug="ddl-path", title="DDL")
    connection.set_tenant(Study.objects.get(pk=study.pk))
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        assert study.schema_name in cursor.fetchone()[0]
