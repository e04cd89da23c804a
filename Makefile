# Hallmark: `make demo` runs the platform on its embedded defaults; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PORT ?= 8000

.PHONY: install demo test services screenshots bench clean

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch first: a looser requirement would pull a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# MiniLM's int8 ONNX file (~23 MB, too big to commit): built here, not on the first prompt, and
# again when the export or quantisation recipe changes (the module skips a file that is current).
MINILM_ONNX := moderation/data/model/minilm-int8.onnx
$(MINILM_ONNX): $(INSTALLED) moderation/onnx_encoder.py
	$(PY) -m moderation.onnx_encoder
	touch $@

install: $(INSTALLED) $(MINILM_ONNX)

## Run the platform: SQLite, a real Celery worker on a filesystem broker, the tiny offline model.
demo: install var/demo.env
	$(PY) manage.py demo --port $(PORT)

# The demo's settings, read by every command run in this checkout (real environment variables win).
var/demo.env:
	mkdir -p var
	printf 'HALLMARK_ENV=demo\nHALLMARK_MODEL_SOURCE=$(CURDIR)/var/models/tiny\nHALLMARK_GENERATION_STEPS=4\n' > $@

## Run the whole suite against PostgreSQL, Redis and real Celery workers (started if down).
test: install
	bash scripts/services.sh
	bash scripts/system-packages.sh
	$(PY) -m pytest $(PYTEST_ARGS)

services:
	bash scripts/services.sh

## Regenerate docs/screenshots/*.png: the studio's browser tests, saving each main page as they go.
screenshots: install
	bash scripts/services.sh
	bash scripts/system-packages.sh
	HALLMARK_SCREENSHOTS=1 $(PY) -m pytest tests/studio -m browser -q

bench: install
	bash scripts/services.sh
	# bench/load.py loads a running server: bench/load-servers.sh starts one (see README).
	for b in bench/*.py; do [ $$b = bench/load.py ] && continue; echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf var/test-media var/test-logs
