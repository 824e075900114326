"""Logging filter: drop query strings from request lines (a panel id arrives as `?PROLIFIC_PID=...`)."""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"\?[^\s\"']*")


class RedactQueryStrings(logging.Filter):
    """Rewrites `GET /?PROLIFIC_PID=abc HTTP/1.1` to `GET /?[redacted] HTTP/1.1` in the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg = _QUERY.sub("?[redacted]", message)
            record.args = ()
        return True
