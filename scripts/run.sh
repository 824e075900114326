#!/usr/bin/env bash
# `make run`: the production kind of stack on this machine. gunicorn (gthread: bounded workers x
# threads, each thread keeping one persistent database connection) serves the platform and its static
# files (WhiteNoise); a Celery worker and Celery beat run beside it when a broker answers. Before
# anything starts, check_capacity refuses a stack that could take over 60 % of max_connections.
# Ctrl-C (or SIGTERM) stops every child and waits for it. `make dev` is the autoreloading server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT="${PLATFORM_PORT:-8000}"
BIND="${PLATFORM_BIND:-0.0.0.0}"
DOMAIN="${PLATFORM_DOMAIN:-localhost}"
export WEB_WORKERS="${WEB_WORKERS:-2}" WEB_THREADS="${WEB_THREADS:-8}" CELERY_CONCURRENCY="${CELERY_CONCURRENCY:-2}"
LOG_DIR="${PLATFORM_LOG_DIR:-var/log}"
mkdir -p "$LOG_DIR" var var/static  # var/static: WhiteNoise's STATIC_ROOT (files come from the app folders)

broker=$($BIN/python -c "from dotenv import load_dotenv; load_dotenv('.env'); from research_platform.services_config import broker_url; print(broker_url() or '')")
if [ -n "$broker" ]; then
  $BIN/python manage.py check_capacity
else
  $BIN/python manage.py check_capacity --without-worker
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "Stopped."
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

if [ -n "$broker" ]; then
  $BIN/celery -A research_platform worker --loglevel=INFO --concurrency="$CELERY_CONCURRENCY" \
    --without-gossip --without-mingle >"$LOG_DIR/worker.log" 2>&1 &
  pids+=($!)
  $BIN/celery -A research_platform beat --loglevel=INFO -s var/celerybeat-schedule \
    >"$LOG_DIR/beat.log" 2>&1 &
  pids+=($!)
  echo "Celery worker and beat started (logs in $LOG_DIR/worker.log and $LOG_DIR/beat.log)."
else
  echo "No broker reachable: background tasks run eagerly in the web processes."
fi

cat <<MSG

The research platform is starting on port $PORT ($WEB_WORKERS web workers x $WEB_THREADS threads):
  Platform home:    http://$DOMAIN:$PORT/
  Platform admin:   http://$DOMAIN:$PORT/admin/
  API docs:         http://$DOMAIN:$PORT/api/docs/
  Demo study:       http://demo.$DOMAIN:$PORT/
  Health:           http://$DOMAIN:$PORT/healthz
Demo credentials are in var/demo-credentials.txt (printed once when they were created). Ctrl-C stops.

MSG
# --graceful-timeout: requests in flight finish on Ctrl-C; --max-requests recycles a worker now and then.
$BIN/gunicorn research_platform.wsgi:application --bind "$BIND:$PORT" \
  --workers "$WEB_WORKERS" --worker-class gthread --threads "$WEB_THREADS" \
  --keep-alive 30 --backlog 2048 --graceful-timeout 20 --timeout 60 \
  --max-requests 5000 --max-requests-jitter 500 \
  --access-logfile "$LOG_DIR/access.log" --error-logfile - --log-level info &
pids+=($!)
wait "${pids[-1]}"
