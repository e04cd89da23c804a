#!/usr/bin/env bash
# bench/load.py against a server this script starts from this checkout, then stops:
#   bash bench/load-servers.sh demo    # `make demo`: runserver, SQLite, the filesystem broker
#   bash bench/load-servers.sh stack   # docker-compose's commands run natively: gunicorn on
#                                      # PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379)
# Both with a gpu queue cap of 8 (so the queue fills: admission is what is measured) and rate
# limits above the load's; the tiny model; workers at nice 10, as the demo runs them (the "GPU"
# worker is this machine's CPU). CLIENTS and SECONDS_ (32, 60) size the load. Loopback only.
# It runs a clone of this checkout's last commit in a temporary folder (its own var/: the
# developer's demo database and keys are left alone), with this checkout's .venv.
set -euo pipefail
# Job control: each server gets its own process group (stopped as a group at the end), in this
# session. Not setsid: a new session is a new scheduler autogroup on Linux, and nice works only
# within one, so the workers' nice 10 would do nothing.
set -m
MODE=${1:?demo or stack}
SRC=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$SRC/.venv/bin/python" ] || make -C "$SRC" install
ROOT=$(mktemp -d /tmp/hallmark-load.XXXXXX)
git clone -q "$SRC" "$ROOT"
ln -s "$SRC/.venv" "$ROOT/.venv"
cd "$ROOT"
PY=.venv/bin/python
export HALLMARK_GPU_QUEUE_MAX_IMAGES=8 HALLMARK_RATE_LIMIT_PER_MINUTE=100000 HALLMARK_DAILY_IMAGE_QUOTA=100000 \
  HALLMARK_VERIFY_RATE_PER_MINUTE=100000
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  sleep 3; rm -rf "$ROOT"
}
trap cleanup EXIT
LOGS=$ROOT/var/load-logs; mkdir -p "$LOGS"
if [ "$MODE" = demo ]; then
  PORT=8123
  # What `make demo` runs (not make itself: its install step would re-point the shared .venv here).
  printf 'HALLMARK_ENV=demo\nHALLMARK_MODEL_SOURCE=%s/var/models/tiny\nHALLMARK_GENERATION_STEPS=4\n' "$ROOT" > var/demo.env
  $PY manage.py demo --port $PORT > "$LOGS/demo.log" 2>&1 & PIDS+=($!)
else
  PORT=8124
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS hallmark_load" -c "CREATE DATABASE hallmark_load" >/dev/null
  redis-cli -n 7 flushdb >/dev/null; redis-cli -n 8 flushdb >/dev/null
  export HALLMARK_ENV=production DJANGO_SECRET_KEY="load-$(date +%s%N)" DJANGO_ALLOWED_HOSTS=127.0.0.1 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hallmark_load CACHE_URL=rediscache://127.0.0.1:6379/7 \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/8 HALLMARK_MODEL_SOURCE="$ROOT/var/models/tiny" HALLMARK_GENERATION_STEPS=4 \
    SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0 WEB_CONCURRENCY=2
  $PY manage.py demo --setup-only > $LOGS/setup.log 2>&1   # migrate, the tiny model, dev keys, users
  nice -n 10 $PY manage.py worker --queues safety --pool threads --concurrency 4 > $LOGS/safety.log 2>&1 & PIDS+=($!)
  nice -n 10 $PY manage.py worker --queues gpu --pool solo > $LOGS/gpu.log 2>&1 & PIDS+=($!)
  # PYTHONPATH: the libraries from this clone, not from where the shared .venv installed them.
  PYTHONPATH=$ROOT .venv/bin/gunicorn --chdir platform --bind 127.0.0.1:$PORT --threads 32 --timeout 330 hallmark.wsgi \
    > $LOGS/web.log 2>&1 & PIDS+=($!)
fi
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/v1/health" >/dev/null && break; sleep 1; done
KEY=$($PY manage.py issue_api_key demo 2>/dev/null | tail -1)
HALLMARK_LOAD_KEY=$KEY $PY bench/load.py --url "http://127.0.0.1:$PORT" --clients "${CLIENTS:-32}" --seconds "${SECONDS_:-60}"
