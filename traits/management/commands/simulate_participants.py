"""Simulated participants with known parameters, played through the REAL HTTP API of a running server.

Each agent consents, starts a session, sends its events in batches and completes, exactly as the
browser does; the platform then processes the sessions as usual. With `--wait`, the command waits
for the profiles and prints a recovery report (true vs fitted parameters: correlation and bias).

    manage.py simulate_participants --study demo --n 20 --model par4 --base-url http://127.0.0.1:8000 --wait
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from argparse import ArgumentParser
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from games.simulate import TargetPolicy, batches, simulate_session
from tenants.models import Study
from tenants.selectors import study_get
from traits.simulate import draw_agent, policy_for

MODELS = {"par4": "bart_par4", "ewmv": "bart_ewmv"}


class Api:
    def __init__(self, base_url: str, slug: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https"):
            raise CommandError("--base-url must be an http(s) URL")
        self.base = f"{parts.scheme}://{parts.hostname}:{parts.port or 80}"
        self.host = f"{slug}.localhost:{parts.port or 80}"

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        headers = {"Host": self.host, "Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the operator's server)
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            return exc.code, json.loads(raw) if raw else None


def play_agent(api: Api, policy: Any, seed: int) -> tuple[str, str]:
    """One agent from consent to completion; returns (participant_code, session_id)."""
    status, document = api.call("GET", "/api/v1/consent/")
    if status != 200:
        raise CommandError(f"no consent document ({status}): publish one first")
    payload = {"consent_version": document["version"], "consent_sha256": document["sha256"], "agree": True}
    status, enrolled = api.call("POST", "/api/v1/participants/", payload)
    if status not in (200, 201):
        raise CommandError(f"consent refused ({status}): {enrolled}")
    token = enrolled["token"]
    status, started = api.call("POST", "/api/v1/game/sessions/", {}, token)
    if status not in (200, 201):
        raise CommandError(f"session refused ({status}): {started}")
    session_id = started["session_id"]
    events = simulate_session(started["balloons"], policy, seed=f"{session_id}|{seed}").events
    for batch in batches(events, 100):
        status, body = api.call("POST", f"/api/v1/game/sessions/{session_id}/events/", {"events": batch}, token)
        if status not in (200, 201, 207):
            raise CommandError(f"events refused ({status}): {body}")
    status, body = api.call("POST", f"/api/v1/game/sessions/{session_id}/complete/", {}, token)
    if status not in (200, 202):
        raise CommandError(f"completion refused ({status}): {body}")
    return enrolled["participant_code"], session_id


def recovery_report(model: str, truth: list[dict[str, float]], fitted: list[dict[str, float]]) -> list[dict[str, Any]]:
    """Per parameter: n, Pearson r between true and fitted values, mean bias (fitted − true)."""
    rows = []
    for name in truth[0]:
        t = np.array([a[name] for a in truth])
        f = np.array([b[name] for b in fitted])
        r = float(np.corrcoef(t, f)[0, 1]) if len(t) > 2 and t.std() > 0 and f.std() > 0 else None
        rows.append({"model": model, "parameter": name, "n": len(t), "r": r, "bias": float(np.mean(f - t))})
    return rows


class Command(BaseCommand):
    help = "Play simulated participants with known parameters through the real HTTP API of a running server."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--study", required=True)
        parser.add_argument("--n", type=int, default=10)
        parser.add_argument("--model", choices=["par4", "ewmv", "target"], default="par4")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--wait", action="store_true", help="wait for the profiles and print a recovery report")
        parser.add_argument("--timeout", type=float, default=300.0)

    def handle(self, *args: Any, **options: Any) -> None:
        study = study_get(slug=options["study"])
        if study is None:
            raise CommandError(f"No study {options['study']!r}.")
        api = Api(options["base_url"], study.slug)
        rng = np.random.default_rng(options["seed"])
        played: list[tuple[str, dict[str, float]]] = []
        for i in range(options["n"]):
            if options["model"] == "target":
                truth = {"target": float(rng.uniform(10, 60))}
                policy: Any = TargetPolicy(target=truth["target"])
            else:
                truth = draw_agent(MODELS[options["model"]], rng)
                policy = policy_for(MODELS[options["model"]], truth)
            _, session_id = play_agent(api, policy, seed=options["seed"] * 100_000 + i)
            played.append((session_id, truth))
            self.stderr.write(f"\r{i + 1}/{options['n']} agents played", ending="")
        self.stderr.write("")
        self.stdout.write(f"{len(played)} simulated sessions completed in {study.slug}.")
        if options["wait"] and options["model"] != "target":
            self._report(study, MODELS[options["model"]], played, options["timeout"])

    def _report(self, study: Study, model: str, played: list[tuple[str, dict[str, float]]], timeout: float) -> None:
        from traits.models import ModelFit

        ids = [s for s, _ in played]
        deadline = time.monotonic() + timeout
        with tenant_context(study):
            while True:
                rows = ModelFit.objects.filter(session_id__in=ids, model=model)
                fits = {str(f.session_id): f.estimates for f in rows}
                if len(fits) == len(ids) or time.monotonic() > deadline:
                    break
                time.sleep(1.0)
        done = [(truth, fits[s]) for s, truth in played if s in fits]
        if len(done) < len(played):
            self.stderr.write(f"only {len(done)} of {len(played)} sessions were fitted within {timeout:.0f} s")
        if not done:
            return
        for row in recovery_report(model, [t for t, _ in done], [f for _, f in done]):
            r = "n/a" if row["r"] is None else f"{row['r']:.2f}"
            self.stdout.write(f"{row['model']} {row['parameter']}: n={row['n']} r={r} bias={row['bias']:+.3f}")
