"""Export files and exports after erasure (dashboard), and the retention policy end to end."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from dashboard.exports import FORMATS, export_stream
from dashboard.models import ExportJob
from games.models import Balloon, Event, GameSession
from pseudonymization.models import Participant, ParticipantKey
from pseudonymization.services import participant_external_id
from rights.services import deletion_request_execute, deletion_request_file, deletion_request_verify
from rights.tasks import retention_sweep
from tests.conftest import api_client_for, enrolled
from tests.rights.support import play, scan, traces


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _export_everything() -> dict[str, bytes]:
    out = {}
    for name in FORMATS:
        chunks, _ = export_stream(name, study_slug="alpha", study_title="Alpha")
        out[name] = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
    return out


def _texts(exports: dict[str, bytes]) -> str:
    import io
    import zipfile

    parts = [v.decode() for k, v in exports.items() if k != "psychds"]
    with zipfile.ZipFile(io.BytesIO(exports["psychds"])) as archive:
        parts += [archive.read(n).decode(errors="replace") for n in archive.namelist()]
    return "\n".join(parts)


def test_export_files_are_removed_and_later_exports_exclude_the_participant(
    alpha, alpha_client, cast, media, django_capture_on_commit_callbacks, participant, other_participant
):
    person, bystander = participant, other_participant
    with django_capture_on_commit_callbacks(execute=True):
        play(alpha_client, person, seed=51, balloons=10)
        play(alpha_client, bystander, seed=52, balloons=10)
    analyst = api_client_for(cast["analyst"], alpha.domain_name)
    with django_capture_on_commit_callbacks(execute=True):
        created = analyst.post("/api/v1/export/jobs/", {"format": "psychds"}, format="json")
    assert created.status_code == 202, created.content
    with tenant_context(alpha):
        job = ExportJob.objects.get(pk=created.json()["id"])
        assert job.status == "done" and job.file_name
        file = Path(media) / job.file_name
        assert file.exists() and file.stat().st_size > 0
        before = _texts(_export_everything())
        assert person.code in before and bystander.code in before
        needles = traces(person.participant)

        request, _ = deletion_request_file(participant=person.participant, source="manager")
        request = deletion_request_execute(
            request=deletion_request_verify(request=request, acting_user=cast["manager"])
        )

        assert request.counts["exports"] == 1 and not file.exists()
        job.refresh_from_db()
        assert (job.status, job.file_name) == ("failed", "") and "export again" in job.error
        after = _texts(_export_everything())
        assert not [n for n in needles if n.lower() in after.lower()]
        assert bystander.code in after and person.code not in after
    download = analyst.get(f"/api/v1/export/jobs/{job.pk}/download/")
    # The removed file is not served: the job is failed, so never ready to download.
    assert download.status_code == 409, download.content
    assert download.json()["error"] == {
        "code": "not_ready",
        "message": "The export is not finished.",
        "details": {"status": "failed"},
    }
    assert scan([alpha.schema_name, "public"], needles) == {}


def test_the_sweep_enforces_the_policy_a_manager_set_on_the_settings_page(alpha, alpha_client, cast):
    old, recent = enrolled(alpha, alpha_client, "PANEL-OLD"), enrolled(alpha, alpha_client, "PANEL-NEW")
    play(alpha_client, old, seed=53, balloons=5)
    play(alpha_client, recent, seed=54, balloons=5)
    page = Client(HTTP_HOST=alpha.domain_name)
    page.force_login(cast["manager"])
    saved = page.post(
        "/manage/",
        {"save_retention": "1", "erase_identifiers_after_days": "365", "erase_raw_events_after_days": "30", "note": ""},
    )
    assert saved.status_code == 302, saved.content
    with tenant_context(alpha):
        # Time travel: the old participant enrolled and played 400 days ago.
        past = timezone.now() - timedelta(days=400)
        Participant.objects.filter(pk=old.participant.pk).update(created_at=past)
        GameSession.objects.filter(participant=old.participant).update(started_at=past, completed_at=past)
        events = Event.objects.filter(session__participant=old.participant).count()
        assert events > 0

    assert "alpha" in retention_sweep.apply().get()  # beat entry point, eager: runs each study's task

    with tenant_context(alpha):
        kept = Participant.objects.get(pk=old.participant.pk)
        assert participant_external_id(participant=kept) is None and kept.external_id_index is None
        assert kept.external_id_ciphertext is None and not ParticipantKey.objects.filter(participant=kept).exists()
        assert not Event.objects.filter(session__participant=kept).exists()
        assert Balloon.objects.filter(session__participant=kept).exists()  # summaries stay
        assert participant_external_id(participant=recent.participant) == "PANEL-NEW"
        assert Event.objects.filter(session__participant=recent.participant).exists()
        from audit.models import AuditEntry

        raw = AuditEntry.objects.get(event="rights.retention.raw_events")
        assert raw.additional_data["count"] == events and raw.additional_data["after_days"] == 30
        assert AuditEntry.objects.get(event="rights.retention.identifiers").additional_data["after_days"] == 365
