"""The four per-study settings share one shape (#19): a singleton row read by ``<x>_settings_get()``
and written by ``<x>_settings_update(*, acting_user, **changes)``, validated, audited with the changed fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEntry
from consent.models import ConsentSettings
from consent.selectors import consent_settings_get
from consent.services import consent_settings_update
from core.errors import ApplicationError
from core.settings_model import StudySettings
from games.models import GameSettings
from games.selectors import game_settings_get
from games.services import game_settings_update
from rights.models import RetentionPolicy, RightsSettings
from rights.selectors import retention_policy_get, rights_settings_get
from rights.services import retention_policy_update, rights_settings_update

# model, read, write, audit action, a valid change, an invalid value of that change
SHAPES: list[tuple[type[StudySettings], Callable[[], Any], Callable[..., Any], str, dict, dict]] = [
    (
        ConsentSettings,
        consent_settings_get,
        consent_settings_update,
        "consent.settings.update",
        {"token_lifetime_hours": 48},
        {"token_lifetime_hours": 0},
    ),
    (
        RightsSettings,
        rights_settings_get,
        rights_settings_update,
        "rights.settings.update",
        {"due_days": 10},
        {"due_days": 500},
    ),
    (
        RetentionPolicy,
        retention_policy_get,
        retention_policy_update,
        "retention.update",
        {"erase_identifiers_after_days": 90},
        {"erase_identifiers_after_days": -3},
    ),
    (
        GameSettings,
        game_settings_get,
        game_settings_update,
        "games.settings.update",
        {"config": {"balloons_per_color": 12}},
        {"config": {"balloons_per_color": 0}},
    ),
]
IDS = [shape[0].__name__ for shape in SHAPES]


@pytest.mark.parametrize(("model", "read", "write", "action", "change", "bad"), SHAPES, ids=IDS)
def test_reading_settings_never_saved_gives_the_defaults_and_writes_nothing(
    in_alpha, model, read, write, action, change, bad
):
    row = read()
    assert isinstance(row, model) and row.pk is None
    assert not model.objects.exists()


@pytest.mark.parametrize(("model", "read", "write", "action", "change", "bad"), SHAPES, ids=IDS)
def test_an_update_saves_one_row_and_audits_the_changed_fields_with_who_acted(
    in_alpha, cast, model, read, write, action, change, bad
):
    write(acting_user=cast["manager"], **change)
    write(acting_user=cast["manager"], **change)  # the same values again: still one row
    assert model.objects.count() == 1 and read().pk is not None
    first, again = AuditEntry.objects.filter(event=action).order_by("seq")
    assert first.actor_id == cast["manager"].pk
    assert first.additional_data["changed"] == sorted(change)
    assert again.additional_data["changed"] == []  # nothing changed the second time


@pytest.mark.parametrize(("model", "read", "write", "action", "change", "bad"), SHAPES, ids=IDS)
def test_an_invalid_value_is_refused_by_name_and_saves_nothing(in_alpha, model, read, write, action, change, bad):
    with pytest.raises(ApplicationError) as info:
        write(acting_user=None, **bad)
    assert info.value.details
    assert not model.objects.exists() and not AuditEntry.objects.filter(event=action).exists()


@pytest.mark.parametrize(("model", "read", "write", "action", "change", "bad"), SHAPES, ids=IDS)
def test_an_unknown_setting_is_refused_by_name(in_alpha, model, read, write, action, change, bad):
    with pytest.raises(ApplicationError) as info:
        write(acting_user=None, no_such_setting=1)
    assert info.value.code == "invalid" and "no_such_setting" in info.value.details
    assert not model.objects.exists()


@pytest.mark.parametrize(("model", "read", "write", "action", "change", "bad"), SHAPES, ids=IDS)
def test_the_database_refuses_a_second_settings_row(in_alpha, model, read, write, action, change, bad):
    model.objects.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create()


def test_the_retention_audit_gives_the_new_day_counts_but_never_the_note(in_alpha, cast):
    retention_policy_update(acting_user=cast["manager"], erase_raw_events_after_days=30, note="REC 2024/17, Dr X")
    entry = AuditEntry.objects.get(event="retention.update")
    assert entry.additional_data == {
        "changed": ["erase_raw_events_after_days", "note"],
        "erase_raw_events_after_days": 30,
    }
