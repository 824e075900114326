#!/usr/bin/env bash
# Serve the platform on :8000, with a Celery worker when a broker is reachable.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PLATFORM_PORT:-8000}"
DOMAIN="${PLATFORM_DOMAIN:-localhost}"

broker=$($BIN/python -c "from dotenv import load_dotenv; load_dotenv('.env'); from research_platform.services_config import broker_url; print(broker_url() or '')")
worker_pid=""
if [ -n "$broker" ]; then
  mkdir -p var/log
  # -B: the embedded beat runs the periodic sweeps (pending sessions, stale sessions, retention).
  $BIN/celery -A research_platform worker -B -s var/celerybeat-schedule --loglevel=INFO --concurrency=2 \
    >var/log/worker.log 2>&1 &
  worker_pid=$!
  echo "Celery worker started (pid $worker_pid, log var/log/worker.log)."
else
  echo "No broker reachable: background tasks run eagerly in the web process."
fi
trap '[ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null || true' EXIT

cat <<MSG

The research platform is starting on port $PORT:
  Platform admin:   http://$DOMAIN:$PORT/admin/
  API docs:         http://$DOMAIN:$PORT/api/docs/
  Demo study:       http://demo.$DOMAIN:$PORT/
  Health:           http://$DOMAIN:$PORT/healthz
Demo credentials are in var/demo-credentials.txt (printed once when they were created).

MSG
exec $BIN/python manage.py runserver "0.0.0.0:$PORT"
