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


@pytest.mark.parametrize("module", ["rights/erasure.py", "rights/retention.py"])
def test_every_model_the_erasure_and_retention_steps_name_exists(module: str) -> None:
    """They name other apps' models by label: each must resolve (a typo would raise, never erase 0 rows)."""
    import re
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / module).read_text()
    labels = set(re.findall(r'"([a-z_]+\.[A-Z][A-Za-z]+)"', source))
    labels |= {f"{a}.{m}" for a, m in re.findall(r'get_model\("([a-z_]+)", "([A-Z][A-Za-z]+)"\)', source)}
    assert labels, module
    for label in labels:
        apps.get_model(label)
