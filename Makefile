# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench eval train clean lock lock-upgrade

# The install is reproducible: every package (runtime, dev and the build backend) comes
# from the hashed lock files, and our own package is installed on top without resolving
# anything (`--no-deps --no-build-isolation`). `pip check` then fails when pyproject.toml
# names a dependency the lock does not have: run `make lock` after changing dependencies.
LOCK     := requirements.lock
DEV_LOCK := requirements-dev.lock
# pip configuration files are not read (a machine-wide extra index only adds noise: the
# hashes decide what is installed); PIP_* environment variables still apply, and
# `make PIP_CONFIG_FILE=/etc/pip.conf ...` uses a file again.
PIP_CONFIG_FILE ?= /dev/null
export PIP_CONFIG_FILE
PIP      := $(BIN)/python -m pip --quiet --disable-pip-version-check --no-input
COMPILE  := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
            --custom-compile-command 'make lock'

DEPS     := $(VENV)/.locked

# The locked packages alone (what `make lock` needs: uv), then our package on top.
$(DEPS): $(DEV_LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the locked dependencies into $(VENV) ..."
	@$(PIP) install --root-user-action=ignore --require-hashes -r $(DEV_LOCK)
	@touch $(DEPS)

$(STAMP): pyproject.toml $(DEPS)
	@$(PIP) install --root-user-action=ignore --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check --disable-pip-version-check >/dev/null || { \
	  $(BIN)/python -m pip check --disable-pip-version-check; \
	  echo "the lock files miss a dependency of pyproject.toml: run make lock"; exit 1; }
	@touch $(STAMP)

# Refresh the lock files from pyproject.toml, keeping every pin that still fits;
# `make lock-upgrade` moves every package to its newest allowed version.
lock: $(DEPS)
	$(COMPILE) pyproject.toml -o $(LOCK)
	$(COMPILE) --extra dev --constraint $(LOCK) pyproject.toml -o $(DEV_LOCK)

lock-upgrade: $(DEPS)
	$(COMPILE) --upgrade pyproject.toml -o $(LOCK)
	$(COMPILE) --upgrade --extra dev --constraint $(LOCK) pyproject.toml -o $(DEV_LOCK)

demo: $(STAMP)
	$(BIN)/opkraevning demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check opkraevning tests bench
	$(BIN)/ruff format --check opkraevning tests bench
	$(BIN)/mypy opkraevning tests bench
	$(BIN)/lint-imports --no-cache

bench: $(STAMP)
	$(BIN)/python -m bench.import_bench
	$(BIN)/python -m bench.mail_bench
	$(BIN)/python -m bench.match_bench
	$(BIN)/python -m bench.remind_bench
	$(BIN)/python -m bench.render_bench

# Score blocks: the dev corpus and the training sets a-c (both tuned on), the intent
# model's fixed validation split of a-c, and the held-out set d once it exists.
eval: $(STAMP)
	$(BIN)/opkraevning eval ../shared/corpus/dev --summary
	$(BIN)/opkraevning eval tests/corpus --set a --set b --set c --summary
	$(BIN)/opkraevning eval tests/corpus --set a --set b --set c --split validation --summary
	@if [ -f tests/corpus/labels/d.jsonl ]; then \
	  $(BIN)/opkraevning eval tests/corpus --set d --summary; \
	else echo "set d (held out) is not in tests/corpus yet"; fi

# Re-train the intent model from the labelled mail in the repository (deterministic);
# a test fails when the shipped file differs from a fresh training.
train: $(STAMP)
	$(BIN)/python -m opkraevning.app.train_intents

clean:
	rm -rf $(VENV) build *.egg-info
