"""Production settings pass `manage.py check --deploy` and send the headers they promise.

Run in a subprocess with production settings and secrets given as files, as in a container.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import database_url_for_tests

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production_env(tmp_path, db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(secrets.token_urlsafe(64) + "\n")
    keys_file = tmp_path / "master_keys"
    keys_file.write_text(base64.b64encode(os.urandom(32)).decode())
    # The embedded cluster listens on a Unix socket only; the shared helper spells both cases.
    database_url = database_url_for_tests()
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "PLATFORM_MASTER_KEYS"}}
    env.update(
        DJANGO_SETTINGS_MODULE="research_platform.settings.production",
        SECRET_KEY_FILE=str(secret_file),
        PLATFORM_MASTER_KEYS_FILE=str(keys_file),
        DATABASE_URL=database_url,
        PLATFORM_DOMAIN="research.example.org",
        TRUST_X_FORWARDED_PROTO="true",  # the deployment of docs/operations.md: behind our own proxy
        PLATFORM_AUDIT_SIGNING_KEY=base64.b64encode(os.urandom(32)).decode(),
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_is_clean_with_production_settings(production_env):
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="research.example.org")
secure = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
plain = client.get("/api/schema/")
probe_health = client.get("/healthz")
print(json.dumps({
    "secret_from_file": settings.SECRET_KEY == open(__import__("os").environ["SECRET_KEY_FILE"]).read().strip(),
    "hsts": secure.headers.get("Strict-Transport-Security", ""),
    "csp": secure.headers.get("Content-Security-Policy", ""),
    "redirect": [plain.status_code, plain.headers.get("Location", "")],
    "health_over_http": probe_health.status_code,
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY, settings.CSRF_COOKIE_SECURE],
    "debug": settings.DEBUG,
}))
"""


def test_production_reads_secrets_from_files_and_sends_hsts_and_csp(production_env):
    result = _run([sys.executable, "-c", PROBE], production_env)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["secret_from_file"] is True
    assert "max-age=31536000" in probe["hsts"] and "includeSubDomains" in probe["hsts"]
    assert "default-src 'self'" in probe["csp"]
    assert probe["redirect"] == [301, "https://research.example.org/api/schema/"]
    assert probe["health_over_http"] == 200  # load balancers probe over plain HTTP
    assert probe["cookies"] == [True, True, True]
    assert probe["debug"] is False


def test_production_refuses_the_published_development_master_key(production_env):
    from pseudonymization.crypto import development_master_key

    env = {k: v for k, v in production_env.items() if k != "PLATFORM_MASTER_KEYS_FILE"}
    env["PLATFORM_MASTER_KEYS"] = development_master_key()
    result = _run([sys.executable, "-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert "development key" in result.stderr


def test_production_trusts_x_forwarded_proto_only_when_told_and_says_why_it_refuses(production_env):
    env = {k: v for k, v in production_env.items() if k != "TRUST_X_FORWARDED_PROTO"}
    refused = _run([sys.executable, "-c", "import django; django.setup()"], env)
    assert refused.returncode != 0 and "TRUST_X_FORWARDED_PROTO" in refused.stderr
    env["SECURE_SSL_REDIRECT"] = "false"
    code = (
        "import django; django.setup(); from django.conf import settings; from django.test import Client; "
        "r = Client(HTTP_HOST='research.example.org').get('/healthz', HTTP_X_FORWARDED_PROTO='https'); "
        "print(settings.SECURE_PROXY_SSL_HEADER, r.wsgi_request.is_secure())"
    )
    plain = _run([sys.executable, "-c", code], env)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.split()[-2:] == ["None", "False"]  # a client's header claims nothing


def test_production_does_not_serve_djangos_test_host(production_env):
    code = "import django; django.setup(); from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    result = _run([sys.executable, "-c", code], production_env)
    assert result.returncode == 0, result.stderr
    assert "testserver" not in result.stdout and "research.example.org" in result.stdout


def test_production_needs_its_own_audit_signing_key(production_env):
    from audit.signing import development_signing_key

    for value in ("", development_signing_key()):
        env = {**production_env, "PLATFORM_AUDIT_SIGNING_KEY": value}
        result = _run([sys.executable, "-c", "import django; django.setup()"], env)
        assert result.returncode != 0 and "PLATFORM_AUDIT_SIGNING_KEY" in result.stderr
