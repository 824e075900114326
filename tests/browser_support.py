"""What the browser tests share: Debian's Chromium under Playwright, axe-core, and visible-layout checks.

Checks here look at what a person sees (rendered boxes, the viewport, axe's rendered-page rules),
never at attributes or class names alone.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from tests.live import CHROMIUM, CHROMIUM_ARGS, ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@contextmanager
def chromium(*, close_connections: bool = True) -> Iterator[Any]:
    """A headless Debian Chromium.

    With ``close_connections`` (module-scoped browsers), Django's connections of this thread are
    closed before the browser's event loop goes, or the test database could not be dropped at the
    end; a function-scoped browser inside a test transaction leaves them to pytest-django.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run `make system-deps`")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls of these tests are
    # plain sequential ones, never concurrent with it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                if close_connections:
                    connections.close_all()
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def new_context(browser: Any, viewport: dict[str, int], **extra: Any) -> Any:
    """A phone (touch, coarse pointer) for widths under 500 px, else a desktop with a mouse."""
    touch = viewport["width"] < 500
    # bypass_csp: only so that axe-core can be evaluated in the page; the page's own scripts are local.
    return browser.new_context(viewport=viewport, is_mobile=touch, has_touch=touch, bypass_csp=True, **extra)


def wait_until(page: Any, expression: str, arg: Any = None, timeout: float = 10.0) -> Any:
    """Poll with page.evaluate (the pages' CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression} ({arg})")
        time.sleep(0.05)


def axe_serious(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as rendered now."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (it installs node_modules from package-lock.json)")
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(page: Any) -> None:
    found = axe_serious(page)
    assert not found, json.dumps(found, indent=1)


def assert_no_sideways_scroll(page: Any) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert max(widths[0], widths[1]) <= widths[2], widths


def in_viewport(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )


def screenshot(page: Any, name: str, *, full_page: bool = False) -> None:
    """Into var/screenshots/ on every run; into the committed docs/screenshots/ with UPDATE_SCREENSHOTS=1."""
    shot = ROOT / "var" / "screenshots" / f"{name}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=full_page)
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOTS / shot.name)


def watch_console(page: Any, *, ignore_missing_favicon: bool = False) -> list[str]:
    """A list that fills with every console error (Chromium reports each CSP refusal as one) and
    uncaught page error of ``page`` from now on; assert it empty.

    ``ignore_missing_favicon``: Chromium's own request for /favicon.ico on a host that has no icon
    is not the page's doing (the study hosts have none yet; the admin has one, so it counts there).
    """
    problems: list[str] = []

    def on_console(msg: Any) -> None:
        url = msg.location.get("url") or ""
        if msg.type == "error" and not (ignore_missing_favicon and url.endswith("/favicon.ico")):
            problems.append(f"console {msg.type}: {msg.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    return problems


def sign_in(page: Any, base: str, path: str, username: str, password: str, *, ask_for_path: bool = True) -> None:
    """Sign in on the login form of ``base`` as a person does (by the fields' labels), and land on ``path``.

    Without ``ask_for_path`` the form is opened bare: ``path`` is where the sign-in sends this user by itself.
    """
    page.goto(f"{base}/accounts/login/" + (f"?next={path}" if ask_for_path else ""))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}{path}")


def seed_demo(django_db_blocker: Any, tmp_path: Path, passwords: dict[str, str]) -> Any:
    """The demo study, committed through the real seed (tenants/seed.py) since the server is another
    process (tests/live.py); each demo account named in ``passwords`` has that password.

    Without the games hook: its simulated sessions queue their processing on commit of the seed's
    one transaction, when the connection is back in public, and the eager task then fails there;
    no browser test needs them, and their model fits would cost the suite seconds. The seed's
    credentials note goes to ``tmp_path``, not var/.
    """
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from tenants import seed as seed_module
    from tenants.models import Study

    names = {name: f"DEMO_{name.upper()}_PASSWORD" for name in passwords}
    saved = {name: os.environ.get(variable) for name, variable in names.items()}
    os.environ.update({names[name]: password for name, password in passwords.items()})
    try:
        with django_db_blocker.unblock():
            hooks = [h for h in seed_module._app_seed_hooks() if h.__module__ != "games.seed"]
            with (
                override_settings(BASE_DIR=tmp_path),
                mock.patch.object(seed_module, "_app_seed_hooks", lambda: hooks),
            ):
                seed_module.seed_demo()
            for username, password in passwords.items():  # seeded earlier in this run with a random one
                user = get_user_model().objects.get(username=username)
                if not user.check_password(password):
                    user.set_password(password)
                    user.save(update_fields=["password"])
            return Study.objects.get(slug=seed_module.DEMO_SLUG)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(names[name], None)
            else:
                os.environ[names[name]] = value
