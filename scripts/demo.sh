#!/usr/bin/env bash
# `make demo`: SQLite, the demo Jobcenter, the web server and a real Celery worker with beat
# on a filesystem broker. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=jobcenter.settings.local
export DEMO_MODE=1
port=${PORT:-8000}
mkdir -p .demo
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py demo_jobcenter --print-logins
# Waiting-room displays: their keys are stored hashed, so the demo issues fresh ones each start.
echo
echo "Aufrufanzeigen (ohne Anmeldung, nur Demo):"
.venv/bin/python manage.py frontdesk_displays --anlegen --neuer-schluessel \
  --base-url "http://127.0.0.1:$port" --jobcenter bergisch-land
echo
echo "Kiosk zum Selbst-Check-in (ohne Anmeldung, nur Demo):"
.venv/bin/python manage.py frontdesk_kiosks --anlegen --neuer-schluessel \
  --base-url "http://127.0.0.1:$port" --jobcenter bergisch-land
.venv/bin/celery -A jobcenter worker --beat --loglevel=INFO --concurrency=1 \
  --schedule .demo/celerybeat-schedule >.demo/celery.log 2>&1 &
celery_pid=$!
trap 'kill $celery_pid 2>/dev/null; wait $celery_pid 2>/dev/null; exit 0' INT TERM EXIT
echo
echo "Jobcenter Frontoffice läuft: http://127.0.0.1:$port/  (Strg-C beendet alles)"
echo "Celery worker + beat: Protokoll in .demo/celery.log"
.venv/bin/python manage.py runserver "127.0.0.1:$port" --noreload
