"""archive_study and delete_study: one shape (slug, --confirm repeating it, the same refusals)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_exists

from tenants.models import Study
from tenants.services import study_create

COMMANDS = ["archive_study", "delete_study"]


@pytest.mark.parametrize("command", COMMANDS)
def test_it_refuses_an_unknown_study(db, command):
    with pytest.raises(CommandError, match="No study 'nosuch'"):
        call_command(command, "nosuch", "--confirm", "nosuch")


@pytest.mark.parametrize("command", COMMANDS)
def test_it_refuses_a_confirmation_that_does_not_repeat_the_slug(db, command):
    study_create(slug="lambda", title="Lambda")
    with pytest.raises(CommandError, match=r"\(confirmation_required\)$"):
        call_command(command, "lambda", "--confirm", "lamda")
    study = Study.objects.get(slug="lambda")
    assert study.status != Study.Status.ARCHIVED
    assert schema_exists("study_lambda")


def test_delete_study_command_refuses_without_confirmation(db):
    study_create(slug="kappa", title="Kappa")
    with pytest.raises(CommandError):
        call_command("delete_study", "kappa")
    call_command("delete_study", "kappa", "--confirm", "kappa")
    assert not schema_exists("study_kappa")


def test_delete_study_says_what_it_dropped(db, capsys):
    study_create(slug="omicron", title="Omicron")
    call_command("delete_study", "omicron", "--confirm", "omicron")
    assert capsys.readouterr().out.strip() == "Deleted study 'omicron' and its schema."
    assert not Study.objects.filter(slug="omicron").exists()


def test_archive_study_archives_keeps_the_schema_and_says_so(db, capsys):
    study_create(slug="sigma", title="Sigma")
    with pytest.raises(CommandError):
        call_command("archive_study", "sigma")
    call_command("archive_study", "sigma", "--confirm", "sigma")
    assert capsys.readouterr().out.strip() == "Archived study 'sigma'; its data is kept."
    study = Study.objects.get(slug="sigma")
    assert study.status == Study.Status.ARCHIVED and study.archived_at is not None
    assert schema_exists("study_sigma")
