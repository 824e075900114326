"""The start-up check: a stack that could take more than 60 % of max_connections does not start."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from core.capacity import Plan, refusal


def test_the_default_stack_fits_and_an_oversized_one_is_refused_with_the_reason():
    assert Plan(web_workers=2, web_threads=8, celery_concurrency=2).connections == 20
    assert refusal(Plan(2, 8, 2), 200) is None
    reason = refusal(Plan(8, 16, 4), 200)
    assert reason and "134 database connections" in reason and "at most 120" in reason


def test_the_command_reads_the_servers_maximum_and_refuses(db, monkeypatch):
    monkeypatch.setenv("WEB_WORKERS", "2")
    call_command("check_capacity")  # fits any server this suite runs on (max_connections >= 100)
    monkeypatch.setenv("WEB_WORKERS", "500")
    with pytest.raises(CommandError, match="more than 60%"):
        call_command("check_capacity")
    monkeypatch.setenv("WEB_THREADS", "many")
    with pytest.raises(CommandError, match="whole number"):
        call_command("check_capacity")
