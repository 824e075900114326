"""How many database connections `make run`'s processes can hold, against the server's maximum.

Pure module (no Django). Under gunicorn's gthread workers with persistent connections
(CONN_MAX_AGE), each thread keeps at most one connection, so the web tier holds at most
workers x threads; each Celery pool process one, the worker's main process and beat one each.
The platform refuses to start when that could take more than 60 % of max_connections: the rest is
for migrations, psql, backups and a second deploy starting while the first drains.
"""

from __future__ import annotations

from dataclasses import dataclass

SHARE = 0.60


@dataclass(frozen=True)
class Plan:
    web_workers: int
    web_threads: int
    celery_concurrency: int
    with_worker: bool = True

    @property
    def connections(self) -> int:
        web = self.web_workers * self.web_threads
        tasks = (self.celery_concurrency + 2) if self.with_worker else 0  # pool + worker main + beat
        return web + tasks


def refusal(plan: Plan, max_connections: int) -> str | None:
    """None when the plan fits; else the reason, in words an operator can act on."""
    allowed = int(max_connections * SHARE)
    if plan.connections <= allowed:
        return None
    return (
        f"{plan.web_workers} web workers x {plan.web_threads} threads"
        f"{f' + {plan.celery_concurrency + 2} Celery connections' if plan.with_worker else ''}"
        f" can hold {plan.connections} database connections, more than {SHARE:.0%} of the server's "
        f"max_connections ({max_connections}, so at most {allowed}). Lower WEB_WORKERS, WEB_THREADS or "
        "CELERY_CONCURRENCY, or raise max_connections."
    )
