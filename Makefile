# The two commands of the README: `make run` and `make test`. Everything else is a step of theirs.
PYTHON_BOT ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.11*/bin/python3.11) python3.11)
PYTHON_RASA ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10) python3.10)
export RASA_TELEMETRY_ENABLED = false

.PHONY: setup run chat test lint validate train rasa-test evaluate benchmark

.venv/.installed: requirements.txt
	$(PYTHON_BOT) -m venv .venv
	.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

.venv-lrs/.installed: requirements-lrs.txt
	$(PYTHON_BOT) -m venv .venv-lrs
	.venv-lrs/bin/pip install -q --disable-pip-version-check -r requirements-lrs.txt
	touch $@

.venv-rasa/.installed: requirements-rasa.txt
	$(PYTHON_RASA) -m venv .venv-rasa
	.venv-rasa/bin/pip install -q --disable-pip-version-check pip==24.0
	.venv-rasa/bin/pip install -q --disable-pip-version-check -r requirements-rasa.txt
	.venv-rasa/bin/rasa telemetry disable   # the stored setting too, not only RASA_TELEMETRY_ENABLED
	touch $@

setup: .venv/.installed .venv-rasa/.installed

run: setup
	scripts/run.sh

chat: setup
	.venv/bin/python -m bot chat

validate: setup
	.venv/bin/python -m bot validate
	scripts/rasa.sh validate

train: setup
	scripts/rasa.sh train

rasa-test: train
	scripts/rasa.sh test

evaluate: train
	scripts/rasa.sh evaluate

lint: setup
	.venv/bin/ruff check bot tests benchmarks scripts dialogues/components dialogues/channel.py
	.venv/bin/ruff format --check bot tests benchmarks scripts dialogues/components dialogues/channel.py

test: lint validate rasa-test .venv-lrs/.installed
	.venv/bin/python -m pytest

benchmark: setup
	.venv/bin/python benchmarks/run.py
