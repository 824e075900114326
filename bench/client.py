"""A small HTTP/1.1 keep-alive client over http.client, one connection per thread (stdlib only).

The benchmark client shares the two cores with the server, so it must stay cheap: no retries
hidden in a library, no TLS, bodies serialised once per request.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any


@dataclass
class Reply:
    status: int
    body: bytes
    ms: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Http:
    """Thread-safe: each thread keeps its own persistent connection to 127.0.0.1:port."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self._local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def request(
        self,
        method: str,
        host: str,
        path: str,
        *,
        body: Any = None,
        token: str | None = None,
        scheme: str = "Bearer",
        raw: bytes | None = None,
    ) -> Reply:
        headers = {"Host": host, "Accept": "application/json"}
        payload = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        if payload is not None:
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"{scheme} {token}"
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                conn = self._conn()
                conn.request(method, path, body=payload, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                elapsed = (time.perf_counter() - started) * 1000.0
                if resp.getheader("Connection", "").lower() == "close":
                    self._drop()
                return Reply(resp.status, data, elapsed)
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
                http.client.CannotSendRequest,
            ):
                # The server closed an idle keep-alive connection: reconnect once, not a failure.
                self._drop()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def post(self, host: str, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("POST", host, path, body=body, **kw)

    def get(self, host: str, path: str, **kw: Any) -> Reply:
        return self.request("GET", host, path, **kw)


def run_parallel(jobs: Iterable[Callable[[], Any]], concurrency: int) -> tuple[list[Any], float]:
    """Run callables on ``concurrency`` threads; return their results and the wall time in seconds."""
    jobs = list(jobs)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda job: job(), jobs))
    return results, time.perf_counter() - started
