"""Signals of the games app.

`session_completed` is sent with `session=` after the completing transaction commits; traits
connects a receiver that queues its processing task.
"""

from django.dispatch import Signal

session_completed = Signal()
