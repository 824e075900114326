"""manage.py verify_audit: every chain, the platform's and each study's, reported.

(The audit API's verification, and the command after a rewrite, are in tests/compliance/test_api.py.)
"""

from __future__ import annotations

from django.core.management import call_command


def test_verify_audit_command_reports_intact_chains(alpha, capsys):
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "platform (public): intact" in out and "alpha: intact" in out and "beta: intact" in out
