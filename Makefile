# Quick start: `make run` and `make test` on a machine with Python >= 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint docs docs-samples dist codegen bench fuzz clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "pbcfg needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## run: set up, then validate and lint the bundled example config (examples/)
run: $(VENV)/.installed
	$(BIN)/pbcfg validate examples/
	$(BIN)/pbcfg lint examples/

## test: set up with the test extras, then run the whole suite
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

## lint: the style and type gates: ruff's formatter and linter, then mypy on the installed package
lint: $(VENV)/.installed-test
	$(BIN)/ruff format --check toolkit tests bench docs
	$(BIN)/ruff check toolkit tests bench docs
	mkdir -p build/typecheck && ln -sfn ../../toolkit build/typecheck/pbcfg
	MYPYPATH=build/typecheck $(BIN)/mypy -p pbcfg

## docs: build the docs site into site/; --strict turns a broken link or a missing page into a failure (run
## with -m, so the API reference finds the package pbcfg, not the console script .venv/bin/pbcfg)
docs: $(VENV)/.installed-test
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --site-dir site

## docs-samples: run every command sample of docs/ again and write its real output into the page
docs-samples: $(VENV)/.installed-test
	$(BIN)/python docs/samples.py --write

## dist: build the sdist and the wheel into dist/, and check both as PyPI would
dist: $(VENV)/.installed-test
	rm -rf dist build
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*

## bench: time pbcfg validate (installed as users get it) beside check-jsonschema and ajv-cli, and against
## the wheel of BENCH_BASELINE (default: the previous commit); writes bench/RESULTS.md, the runtime's
## overhead to bench/RUNTIME.md, and async calls/s and CPU per call beside LiteLLM's (with redis-server) to
## bench/ASYNC.md; a budget missed in any fails the target
BENCH_BASELINE ?= HEAD~1
bench: $(BIN)/python
	$(PYTHON) -m venv bench/.work/venv
	bench/.work/venv/bin/python -m pip install --quiet --upgrade pip
	rm -rf build
	bench/.work/venv/bin/python -m pip install --quiet . check-jsonschema
	bench/.work/venv/bin/python -m pip install --quiet '.[redis,aiohttp,aws,gcp]' llmock==0.2.2 litellm==1.110.2
	npm install --silent --no-audit --no-fund --prefix bench/.work/npm ajv-cli@5.0.0 ajv-formats@3.0.1
	rm -rf build bench/.work/baseline bench/.work/baseline-src && mkdir -p bench/.work/baseline-src
	git archive $(BENCH_BASELINE) | tar -x -C bench/.work/baseline-src
	$(PYTHON) -m venv bench/.work/baseline
	bench/.work/baseline/bin/python -m pip install --quiet --upgrade pip
	bench/.work/baseline/bin/python -m pip install --quiet bench/.work/baseline-src
	BENCH_BASELINE="$(BENCH_BASELINE) ($$(git rev-parse --short $(BENCH_BASELINE)))" bench/.work/venv/bin/python \
		bench/bench.py; checks=$$?; \
	bench/.work/venv/bin/python bench/runtime_bench.py || checks=1; \
	bench/.work/venv/bin/python bench/async_bench.py || checks=1; \
	exit $$checks

## fuzz: the hostile-input tests, the crash and race tests and the generated check's differential test
## (> 20,000 cases), each with many more examples or runs than CI
fuzz: $(VENV)/.installed-test
	PBCFG_FUZZ_EXAMPLES=2000 $(BIN)/python -m pytest tests/properties/test_hostile_input.py -q
	PBCFG_FUZZ_EXAMPLES=3000 $(BIN)/python -m pytest tests/properties/test_generated_validators.py -q
	PBCFG_KILL_RUNS=250 PBCFG_RACE_ROUNDS=50 $(BIN)/python -m pytest tests/system/test_crash_safety.py \
		tests/system/test_concurrent_writers.py tests/system/test_secrets_never_leak.py -q -s

## codegen: regenerate generated/ from schemas/
codegen: $(VENV)/.installed-test
	$(BIN)/pbcfg codegen

clean:
	rm -rf $(VENV) build dist site *.egg-info .pytest_cache .hypothesis
