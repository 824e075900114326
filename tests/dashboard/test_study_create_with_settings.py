"""Creating a study with its game settings is one step: the study in public, its settings in its schema.

(The game-configuration tests of tests/tenants/test_study_create.py moved here with the flow, #19.)
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_exists, tenant_context

from audit.models import AuditEntry
from core.errors import ApplicationError
from dashboard.services import study_create_with_settings
from games.models import GameSettings
from games.selectors import game_config_current, game_settings_get
from games.services import game_settings_update
from tenants.models import Study
from tenants.services import study_archive


def test_an_invalid_game_config_is_refused_and_creates_nothing(db):
    with pytest.raises(ApplicationError) as info:
        study_create_with_settings(
            acting_user=None, as_manager=False, slug="zeta", title="Zeta", game_config={"balloons_per_color": 0}
        )
    assert info.value.code == "invalid_game_config"
    assert "$.balloons_per_color" in info.value.details
    assert not schema_exists("study_zeta")
    assert not Study.objects.filter(slug="zeta").exists()


def test_the_default_game_config_is_the_standard_task(db):
    study = study_create_with_settings(acting_user=None, as_manager=False, slug="eta", title="Eta")
    with tenant_context(study):
        config = game_settings_get().config
    assert config["colors"] == [{"color": "blue", "max_pumps": 128}]
    assert config["balloons_per_color"] == 30


def test_the_game_config_given_at_creation_is_stored_complete_in_the_studys_schema(db, cast):
    study = study_create_with_settings(
        acting_user=cast["admin"], slug="eta-two", title="Eta", game_config={"balloons_per_color": 12}
    )
    with tenant_context(study):
        row = GameSettings.objects.get()
        entry = AuditEntry.objects.get(event="games.settings.update")
    assert row.config["balloons_per_color"] == 12 and row.config["currency"] == "USD"
    assert entry.actor_id == cast["admin"].pk and entry.additional_data["changed"] == ["config"]
    assert "balloons_per_color" in entry.additional_data["config_keys"]


def test_a_study_without_a_settings_row_reads_the_standard_task(in_alpha):
    assert not GameSettings.objects.exists()
    assert game_config_current()["balloons_per_color"] == 30


def test_changing_the_game_settings_audits_only_the_keys_that_changed(in_alpha, cast):
    game_settings_update(acting_user=cast["manager"], config={"balloons_per_color": 20})
    game_settings_update(acting_user=cast["manager"], config={"balloons_per_color": 20, "currency": "EUR"})
    last = AuditEntry.objects.filter(event="games.settings.update").order_by("-seq").first()
    assert last.additional_data["config_keys"] == ["currency"]
    assert game_config_current()["currency"] == "EUR" and GameSettings.objects.count() == 1


def test_an_invalid_game_config_is_refused_with_where_it_is_wrong(in_alpha):
    with pytest.raises(ApplicationError) as info:
        game_settings_update(acting_user=None, config={"colors": [{"color": "blue", "max_pumps": 1}]})
    assert info.value.code == "invalid_game_config" and info.value.details
    assert not GameSettings.objects.exists()


def test_an_archived_studys_game_settings_cannot_be_changed(db):
    study = study_create_with_settings(acting_user=None, as_manager=False, slug="theta-g", title="Theta")
    study_archive(study=study, confirm="theta-g")
    with tenant_context(study), pytest.raises(ApplicationError) as info:
        game_settings_update(acting_user=None, config={"balloons_per_color": 3})
    assert info.value.code == "study_archived"


def test_the_create_study_command_takes_the_game_config(db, capsys):
    call_command("create_study", "lambda", "--title", "Lambda", "--game-config", '{"balloons_per_color": 7}')
    assert "by clone" in capsys.readouterr().out
    with tenant_context(Study.objects.get(slug="lambda")):
        assert game_config_current()["balloons_per_color"] == 7


def test_the_create_study_command_refuses_an_invalid_game_config_and_creates_nothing(db):
    with pytest.raises(CommandError, match="invalid_game_config"):
        call_command("create_study", "mu-study", "--title", "Mu", "--game-config", '{"balloons_per_color": 0}')
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("create_study", "mu-study", "--title", "Mu", "--game-config", "{")
    assert not Study.objects.filter(slug="mu-study").exists()
