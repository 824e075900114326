"""The audit registry names real models only, and a name that resolves to nothing stops the start-up."""

from __future__ import annotations

from unittest import mock

import pytest
from auditlog.registry import auditlog
from django.apps import apps

from audit import registry


def test_every_audited_label_names_a_model_that_auditlog_watches() -> None:
    for label in registry.AUDITED:
        assert auditlog.contains(apps.get_model(label)), label


def test_an_unknown_label_is_an_error_not_a_silently_unaudited_model() -> None:
    with mock.patch.dict(registry.AUDITED, {"consent.NoSuchModel": {}}), pytest.raises(LookupError):
        registry.register_all()
