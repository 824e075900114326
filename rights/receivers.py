"""What a withdrawal means for the data collected so far: the study's protocol decides.

The consent app records the withdrawal (participant status -> withdrawn, tokens revoked, so
ingestion answers 409 at once). When the study's rights settings say ``erase``, a deletion
request is filed and, being the protocol's own consequence, verified and executed without a manager.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from pseudonymization.models import Participant


@receiver(post_save, sender=Participant, dispatch_uid="rights.participant_withdrawn")
def participant_withdrawn(sender: type[Participant], instance: Participant, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields") or ()
    if "status" not in update_fields or instance.status != Participant.Status.WITHDRAWN:
        return
    from rights.models import DeletionRequest, RightsSettings
    from rights.selectors import rights_settings_get
    from rights.services import deletion_request_file

    if rights_settings_get().withdrawal_data != RightsSettings.WithdrawalData.ERASE:
        return
    deletion_request_file(participant=instance, source=DeletionRequest.Source.WITHDRAWAL)
