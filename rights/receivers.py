"""Receivers of the rights app: what a withdrawal means for the data, and queueing an execution.

The consent app records the withdrawal (participant status -> withdrawn, tokens revoked, so
ingestion answers 409 at once). When the study's rights settings say ``erase``, a deletion
request is filed and, being the protocol's own consequence, verified and executed without a manager.

The services announce a request ready for execution (rights.signals) and this module queues the
task: the imports run receivers -> tasks -> services, never back.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from pseudonymization.models import Participant
from rights.models import DeletionRequest, RightsSettings
from rights.selectors import rights_settings_get
from rights.services import deletion_request_file
from rights.signals import execution_requested
from rights.tasks import execute_deletion_request


@receiver(post_save, sender=Participant, dispatch_uid="rights.participant_withdrawn")
def participant_withdrawn(sender: type[Participant], instance: Participant, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields") or ()
    if "status" not in update_fields or instance.status != Participant.Status.WITHDRAWN:
        return
    if rights_settings_get().withdrawal_data != RightsSettings.WithdrawalData.ERASE:
        return
    deletion_request_file(participant=instance, source=DeletionRequest.Source.WITHDRAWAL)


@receiver(execution_requested, sender=DeletionRequest, dispatch_uid="rights.queue_execution")
def queue_execution(sender: type[DeletionRequest], request_id: str, **kwargs: Any) -> None:
    execute_deletion_request.delay(request_id)
