"""Server-side prepared statements for the few statements every request runs (psycopg2 has none).

Planning the game's batch statements took longer than running them (EXPLAIN: 0.3-0.7 ms of
planning against 0.1-0.2 ms of execution for the gate), and psycopg2 sends every statement as
text to be planned anew. A statement is PREPAREd once per database connection, the first time
that connection needs it, and EXECUTEd after that.

Safe with django-tenants: PostgreSQL parses a prepared statement again whenever ``search_path``
has changed since its last use, so one connection serving many studies always reads the current
study's tables (https://www.postgresql.org/docs/15/sql-prepare.html, "Notes"); it also re-plans
after DDL. PREPARE is not undone by a ROLLBACK, and a new connection (CONN_MAX_AGE expiry, a
reconnect) starts with an empty set, which the identity check below notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection


@dataclass(frozen=True)
class Prepared:
    """A statement with ``$1..$n`` parameters of the given SQL types."""

    name: str
    types: tuple[str, ...]
    sql: str

    def execute(self, cursor: Any, params: list[Any]) -> None:
        if len(params) != len(self.types):
            raise ValueError(f"{self.name} takes {len(self.types)} parameters, got {len(params)}")
        raw = connection.connection
        state = getattr(connection, "_prepared_statements", None)
        if state is None or state[0] is not raw:
            state = (raw, set())
            connection._prepared_statements = state  # type: ignore[attr-defined]
        if self.name not in state[1]:
            cursor.execute(f"PREPARE {self.name} ({', '.join(self.types)}) AS {self.sql}")
            state[1].add(self.name)
        # Each value is cast to its declared type: psycopg2 renders lists as ARRAY[...] of text.
        placeholders = ", ".join(f"%s::{t}" for t in self.types)
        cursor.execute(f"EXECUTE {self.name} ({placeholders})", params)
