# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench eval clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

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

eval: $(STAMP)
	$(BIN)/opkraevning eval ../shared/corpus/dev

clean:
	rm -rf $(VENV) build *.egg-info
