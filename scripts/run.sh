#!/usr/bin/env bash
# Start the bot now and the Rasa server beside it (training first if dialogues/ or config.yml
# changed); the bot serves buttons and commands while Rasa loads. Ctrl-C stops both.
set -euo pipefail
umask 077   # the database, its WAL, backups and the Rasa log: readable by this user only
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
export RASA_URL="${RASA_URL:-http://127.0.0.1:5005}"
# A fresh secret per run unless the deployment sets one: only this bot may use Rasa's HTTP API.
export RASA_AUTH_TOKEN="${RASA_AUTH_TOKEN:-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(16))')}"

.venv/bin/python -m bot check   # settings and quiz banks: fail in a second, not after training

log="${RASA_LOG:-data/rasa.log}"
mkdir -p "$(dirname "$log")"
setsid bash -c 'scripts/rasa.sh train && exec scripts/rasa.sh serve' > "$log" 2>&1 &
rasa_group=$!
trap 'kill -TERM -- "-$rasa_group" 2>/dev/null || true' EXIT
echo "Rasa: training if needed, then serving on $RASA_URL (log: $log)"
.venv/bin/python -m bot run
