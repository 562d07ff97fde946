# Every target creates the virtualenv if it is missing and installs the pinned
# dependencies (constraints.txt), so each one works on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-dev
# GitHub's official REST descriptions (npm, pinned in tests/contract/descriptions.lock).
DESCRIPTIONS := $(VENV)/share/api-descriptions
DESCRIPTIONS_STAMP := $(DESCRIPTIONS)/.fetched

.PHONY: demo test lint typecheck contracts unit bench reliability browser descriptions schema image-check clean

# goldthread and what it needs to run: enough for the demo.
$(RUN_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $(RUN_STAMP)

# Plus the PostgreSQL driver and every tool the checks use.
$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,postgres]'
	touch $(STAMP)

# The contract tests check requests and answers against these.
$(DESCRIPTIONS_STAMP): tests/contract/descriptions.lock $(RUN_STAMP)
	@command -v npm >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq npm) \
	  || (echo "make test needs npm to fetch the API descriptions: install the 'npm' package" >&2; exit 1)
	$(BIN)/python tests/contract/fetch_descriptions.py tests/contract/descriptions.lock $(DESCRIPTIONS)
	touch $(DESCRIPTIONS_STAMP)

descriptions: $(DESCRIPTIONS_STAMP)

demo: $(RUN_STAMP)
	$(BIN)/goldthread demo

# goldthread.schema.json (what config.example.toml's #:schema line names),
# regenerated from the settings model after a config key changes.
schema: $(RUN_STAMP)
	$(BIN)/goldthread config schema > goldthread.schema.json

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks .ci/image_check
	$(BIN)/ruff format --check src tests benchmarks .ci/image_check

typecheck: $(STAMP)
	$(BIN)/mypy
	MYPYPATH=.ci:tests/deploy:tests/support $(BIN)/mypy --strict --follow-imports=silent -p image_check

contracts: $(STAMP)
	$(BIN)/lint-imports

# The report and dashboard checks look at the page in headless Chromium.
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium) \
	  || (echo "make test needs headless Chromium: install the 'chromium' package" >&2; exit 1)

unit: $(STAMP) browser $(DESCRIPTIONS_STAMP)
	$(BIN)/pytest -n 2 -q

test: lint typecheck contracts unit

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The whole reliability suite: every fault case, 50 kills, long fuzzing.
reliability: $(STAMP)
	GOLDTHREAD_RELIABILITY=full $(BIN)/pytest tests/reliability -q

# The container image built from deploy/Dockerfile and run for real with podman,
# the Compose sandbox profile, and a policy scan of the Kubernetes objects
# (docs/deploy.md, "How the image is verified"). Installs podman and friends.
image-check: $(STAMP)
	.ci/image-check

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist src/*.egg-info
