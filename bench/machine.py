"""What the numbers were measured on: cores, memory, load, versions."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe(broker_url: str) -> dict[str, Any]:
    import django
    import psutil
    import redis
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    try:
        redis_version = redis.Redis.from_url(broker_url).info("server").get("redis_version")
    except redis.RedisError:
        redis_version = None
    return {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "postgresql": pg_version,
        "redis": redis_version,
        "os": platform.platform(),
    }
