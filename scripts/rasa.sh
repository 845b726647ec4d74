#!/usr/bin/env bash
# The Rasa server's side of the project, run from .venv-rasa (Python 3.10). One place for the
# flags, used by the Makefile, scripts/run.sh and the tests.
#   scripts/rasa.sh train      train models/ethics.tar.gz if dialogues/ or config.yml changed
#   scripts/rasa.sh serve      serve the model on loopback (RASA_URL, RASA_AUTH_TOKEN)
#   scripts/rasa.sh validate   rasa data validate, failing on warnings
#   scripts/rasa.sh test       conversation tests (dialogues/tests)
#   scripts/rasa.sh evaluate   NLU evaluation per language on the held-out sets (dialogues/eval/{dev,test})
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
RASA=.venv-rasa/bin/rasa
DATA=(--data dialogues/data --domain dialogues/domain.yml --config config.yml)
MODEL=models/ethics.tar.gz

case "${1:-}" in
  train)
    # Rasa compares the fingerprint of dialogues/ and config.yml with the existing model and
    # only trains what changed; the `bot:` section of config.yml is not part of it.
    "$RASA" train "${DATA[@]}" --out models --fixed-model-name ethics
    .venv/bin/python -m bot.model_fingerprint > models/ethics.fingerprint   # read by `python -m bot doctor`
    ;;
  serve)
    url="${RASA_URL:-http://127.0.0.1:5005}"
    hostport="${url#*://}"; hostport="${hostport%%/*}"
    # No --enable-api: Rasa's HTTP API stays closed and the only routes are the bot's channel
    # (dialogues/channel.py, registered by dialogues/credentials.yml), which reads RASA_AUTH_TOKEN
    # from the environment, so the token is never on the command line that `ps` shows.
    exec "$RASA" run --model "$MODEL" --credentials dialogues/credentials.yml \
      --interface "${hostport%:*}" --port "${hostport##*:}"
    ;;
  validate)
    "$RASA" data validate --fail-on-warnings "${DATA[@]}"
    ;;
  test)
    "$RASA" test core --model "$MODEL" --stories dialogues/tests --out results/stories --fail-on-prediction-errors
    ;;
  evaluate)
    for set in dev test; do
      for lang in kk ru en; do
        "$RASA" test nlu --model "$MODEL" --nlu "dialogues/eval/$set/nlu_$lang.yml" \
          --out "results/nlu_${set}_$lang" >/dev/null
      done
    done
    .venv/bin/python scripts/nlu_report.py results
    ;;
  *)
    sed -n '2,9p' "$0"; exit 2
    ;;
esac
