# make test         set up .venv if needed, then re-execute every notebook in quick mode with nbval, plus tests/
# make run          set up .venv if needed, then execute every notebook in place, in full
# make tables       rewrite the README's (and the core sentiment notebook's) results tables from the committed runs
# make test-latest  re-execute every notebook in quick mode with nbval, comparing the same outputs as make test, on
#                   Python 3.12 with the newest release of every dependency, torchtext 0.6.0 installed without its
#                   dependencies, as the Colab cell does
# make lab          open Jupyter Lab in the project's environment
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements
# The newest releases, as Colab runs them: a second environment on Python 3.12.
PYTHON_LATEST ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) python3.12)
LATEST := .venv-latest
LATEST_PACKAGES := torch numpy matplotlib spacy scikit-learn scipy tqdm threadpoolctl jupyter nbval pytest pytest-xdist six requests

.PHONY: setup test run tables test-latest lab clean

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 | sed "/is ignored/d"
	$(BIN)/python -c "import torch, torchtext, nbval"
	cp requirements.txt $@

# TQDM_DISABLE=1: executed notebooks record no progress-bar refreshes (a person in Jupyter still sees the bars).
# Two workers, one notebook or test file each at a time (--dist loadfile), each with one thread for torch's OpenMP:
# two processes of two OpenMP threads each on two cores wait on one another.
PYTEST_PARALLEL := -n 2 --dist loadfile
test: $(STAMP)
	QUICK=1 TQDM_DISABLE=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest $(PYTEST_PARALLEL)

run: $(STAMP)
	for nb in notebooks/*.ipynb; do \
	  TQDM_DISABLE=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=-1 --ExecutePreprocessor.kernel_name=python3 "$$nb" || exit 1; \
	  $(BIN)/python tools/notebook_outputs.py --drop-progress-widgets "$$nb" || exit 1; \
	done

tables: $(STAMP)
	$(BIN)/python tools/tables.py --write

test-latest:
	test -x $(LATEST)/bin/python || $(PYTHON_LATEST) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade $(LATEST_PACKAGES) 2>&1 | sed "/is ignored/d"
	$(LATEST)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps torchtext==0.6.0 2>&1 | sed "/is ignored/d"
	$(LATEST)/bin/python -c "import sys, torch, torchtext, numpy, matplotlib, spacy, sklearn, scipy; \
	  print('newest releases:', 'Python', sys.version.split()[0], *(f'{m.__name__} {m.__version__}' for m in \
	  (torch, torchtext, numpy, matplotlib, spacy, sklearn, scipy)), sep=' | ')"
	QUICK=1 TQDM_DISABLE=1 OMP_NUM_THREADS=1 $(LATEST)/bin/python -m pytest $(PYTEST_PARALLEL) notebooks

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) $(LATEST) .pytest_cache data/checkpoints
