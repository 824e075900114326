"""Signals of the rights app.

`execution_requested` is sent with `request_id=` (a str) after the transaction that verified or
scheduled a deletion request commits; rights.receivers queues the execution task for it, so the
services never import the task that imports them.
"""

from django.dispatch import Signal

execution_requested = Signal()
