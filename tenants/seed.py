"""Demo data for `make run`: a `demo` study and demo accounts, created once and kept after.

Each later feature adds its own demo piece here (consent document, roles), so a fresh
`make run` shows a platform that works end to end. Running it again changes nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from tenants.models import Study
from tenants.services import study_create

DEMO_SLUG = "demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    env_var: str
    is_staff: bool
    is_superuser: bool


DEMO_ACCOUNTS = (
    DemoAccount("admin", "DEMO_ADMIN_PASSWORD", True, True),
    DemoAccount("researcher", "DEMO_RESEARCHER_PASSWORD", False, False),
    DemoAccount("compliance", "DEMO_COMPLIANCE_PASSWORD", False, False),
)


def _ensure_user(account: DemoAccount) -> tuple[object, str | None]:
    """Create the account if missing; return the password only when it was just set."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=account.username).first()
    if user is not None:
        return user, None
    password = os.environ.get(account.env_var) or secrets.token_urlsafe(12)
    user = user_model.objects.create_user(
        username=account.username,
        password=password,
        is_staff=account.is_staff,
        is_superuser=account.is_superuser,
    )
    return user, password


def seed_demo() -> list[str]:
    """Create what is missing; return lines worth printing (new credentials included once)."""
    lines: list[str] = []
    created: list[tuple[str, str]] = []
    with transaction.atomic():
        users = {}
        for account in DEMO_ACCOUNTS:
            user, password = _ensure_user(account)
            users[account.username] = user
            if password:
                created.append((account.username, password))
        study = Study.objects.filter(slug=DEMO_SLUG).first()
        if study is None:
            study = study_create(
                slug=DEMO_SLUG,
                title="Demo study: the Balloon game",
                description="A demonstration study with the standard 30-balloon task.",
                acting_user=users["admin"],
            )
            study.status = Study.Status.RECRUITING
            study.save(update_fields=["status"])
            lines.append(f"Created the demo study at {study.url}")
        lines.extend(_seed_roles(study=study, users=users))
        for hook in _app_seed_hooks():
            lines.extend(hook(study=study, users=users))
    if created:
        note = Path(settings.BASE_DIR) / "var" / "demo-credentials.txt"
        note.parent.mkdir(parents=True, exist_ok=True)
        with note.open("a", encoding="utf-8") as fh:
            for username, password in created:
                fh.write(f"{username}\t{password}\n")
        note.chmod(0o600)
        lines.append("Demo accounts (shown once; also kept in var/demo-credentials.txt):")
        lines.extend(f"  {username} / {password}" for username, password in created)
    return lines


STUDY_ADMINISTRATORS_GROUP = "Study administrators"


def _seed_roles(*, study: Study, users: dict) -> list[str]:
    """The researcher manages the demo study and may create studies; compliance audits it."""
    from django.contrib.auth.models import Group, Permission

    from tenants.membership import membership_grant
    from tenants.models import StudyMembership

    group, _ = Group.objects.get_or_create(name=STUDY_ADMINISTRATORS_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="tenants", codename="add_study"))
    users["researcher"].groups.add(group)
    lines = []
    for username, role in (("researcher", "manager"), ("compliance", "compliance")):
        if not StudyMembership.objects.filter(study=study, user=users[username]).exists():
            membership_grant(study=study, user=users[username], role=role, acting_user=users["admin"])
            lines.append(f"Granted {username} the {role} role on the demo study.")
    return lines


def _app_seed_hooks() -> list:
    """Each installed app may offer ``<app>.seed.seed_study_demo(study=, users=) -> list[str]``; they
    run in INSTALLED_APPS order. Found through the app registry, as Django's admin finds each app's
    ``admin`` module, so tenants names none of the apps above it."""
    hooks = []
    for config in apps.get_app_configs():
        if config.name == "tenants" or importlib.util.find_spec(f"{config.name}.seed") is None:
            continue
        module = importlib.import_module(f"{config.name}.seed")
        if not callable(getattr(module, "seed_study_demo", None)):
            # A seed module without its hook is a mistake to report, not a demo quietly left out.
            raise ImproperlyConfigured(f"{config.name}.seed defines no seed_study_demo(study=, users=)")
        hooks.append(module.seed_study_demo)
    return hooks
