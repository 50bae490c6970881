# `make test`: set up .venv if needed, then re-execute both notebooks with nbval (quick mode).
# `make run`:  set up .venv if needed, then execute every notebook in place (full mode).
# `make lab`:  open Jupyter Lab in the project's environment.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements

.PHONY: setup test run lab clean

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	cp requirements.txt $@

# TQDM_DISABLE=1: notebooks executed here record no progress-bar refresh lines (a person in Jupyter still sees the bars).
test: $(STAMP)
	QUICK=1 TQDM_DISABLE=1 $(BIN)/python -m pytest

run: $(STAMP)
	for nb in notebooks/*.ipynb; do \
	  TQDM_DISABLE=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=-1 --ExecutePreprocessor.kernel_name=python3 "$$nb" || exit 1; \
	done

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) .pytest_cache data/checkpoints
