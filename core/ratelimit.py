"""The one rate limiter: cache-backed fixed windows counted per hashed identity.

research_platform/rate_limits.py says which requests count against which rule (login, token,
consent, participant traffic); services call ``refuse_over_limit`` for limits of their own.

Keys are accounts (hashed usernames), tokens (hashed), external ids (hashed) or a whole study,
never IP addresses: the platform stores none, not even in its cache. The price is that anonymous
enrolment can only be limited per study (and per external id); docs/security.md weighs this.
Over a limit: 429 with ``Retry-After``, in the API's error shape under /api/ (and for JSON clients),
else the styled error page saying how long to wait.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse, JsonResponse
from redis.exceptions import RedisError

from core.errors import ApplicationError, error_body
from core.responses import plain_error_page, wants_json

logger = logging.getLogger(__name__)


def _digest(value: str) -> str:
    """A keyed hash, so the cache holds no username, token or external id in clear."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]


def _redis_client() -> Any:
    """The Redis client behind Django's cache, or None for another backend (locmem in tests)."""
    default = caches["default"]  # the backend itself: `cache` is a proxy that isinstance() cannot see through
    if not isinstance(default, RedisCache):
        return None
    # Django builds a new redis.Redis (copying ~170 response callbacks) on every get_client(); one
    # per connection pool is enough, as redis.Redis is thread-safe over its pool.
    pool = default._cache._get_connection_pool(write=True)
    client = _CLIENTS.get(id(pool))
    if client is None:
        client = _CLIENTS[id(pool)] = default._cache._client(connection_pool=pool)
    return client


_CLIENTS: dict[int, Any] = {}


def count_hit(key: str, *, timeout: int) -> int | None:
    """Add one to a window's counter; None when the cache (Redis) is unreachable.

    Fails open on purpose: during a Redis outage participants keep sending and researchers keep
    working, unthrottled (axes still locks accounts in the database); refusing everything instead
    would turn a cache outage into a full outage. /healthz shows the broker (same Redis) as down.
    """
    try:
        client = _redis_client()
        if client is not None:
            # One round trip: INCR creates the counter at 1, EXPIRE NX sets the window only then.
            # (Django's add() + incr() costs three: SET NX, EXISTS, INCRBY.)
            full_key = cache.make_and_validate_key(key)
            pipe = client.pipeline(transaction=False)
            pipe.incr(full_key)
            pipe.expire(full_key, timeout, nx=True)
            count, _ = pipe.execute()
            return int(count)
        # add() is atomic on locmem too: the first request of a window creates the counter.
        if cache.add(key, 1, timeout=timeout):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=timeout)
            return 1
    except (RedisError, OSError):
        logger.warning("rate limits not enforced: the cache is unreachable")
        return None


def window_wait(key: str, *, limit: int, window: int, now: float | None = None) -> int:
    """Count one hit in ``key``'s fixed window of ``window`` seconds: 0 when within ``limit``, else
    the seconds until the window resets. The cache unreachable counts as allowed (see count_hit)."""
    now = time.time() if now is None else now
    window_start = int(now // window) * window
    count = count_hit(f"{key}:{window_start}", timeout=window + 1)
    if count is None or count <= limit:
        return 0
    return max(1, int(window_start + window - now) + 1)


def refuse_over_limit(key: str, *, limit: int, window: int, message: str) -> None:
    """window_wait for a service or view: over the limit is a 429 ``rate_limited`` with Retry-After."""
    wait = window_wait(key, limit=limit, window=window)
    if wait:
        error = ApplicationError("rate_limited", message, details={"retry_after_seconds": wait}, status_code=429)
        error.retry_after = wait  # type: ignore[attr-defined]  # the handlers turn it into Retry-After
        raise error


def consume(rule: str, identity: str, *, now: float | None = None) -> int:
    """Count one request; return 0 when allowed, else the seconds until the window resets."""
    limit, window = settings.RATE_LIMITS[rule]
    return window_wait(f"rl:{rule}:{_digest(identity)}", limit=limit, window=window, now=now)


def limited_response(request: HttpRequest, retry_after: int) -> HttpResponse:
    if wants_json(request):
        response: HttpResponse = JsonResponse(
            error_body("rate_limited", "Too many requests; slow down.", {"retry_after_seconds": retry_after}),
            status=429,
        )
    else:
        response = plain_error_page("errors/429.html", 429, retry_after=retry_after)
    response["Retry-After"] = str(retry_after)
    return response
