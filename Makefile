# make setup        create .venv with the Python version and the package versions of requirements.lock
# make data         put IMDB where the notebooks' loader reads it, once, checked against a recorded SHA-256
#                   (tools/imdb_data.py); make data IMDB_ARCHIVE=path/to/aclImdb_v1.tar.gz takes a local copy
# make test         setup and data if needed, then re-execute every notebook in quick mode with nbval, plus tests/
# make run          setup and data if needed, then execute every notebook in place, in full
# make tables       rewrite the README's (and the core sentiment notebook's) results tables from the committed runs
# make lock         after a change of requirements.txt: install it into .venv, then rewrite requirements.lock from it
#                   (another Python version: make clean, then make lock LOCKED_PYTHON=X.Y PYTHON=/path/to/pythonX.Y)
# make test-latest  re-execute every notebook in quick mode with nbval, comparing the same outputs as make test, on
#                   Python 3.12 with the newest release of every dependency, torchtext 0.6.0 installed without its
#                   dependencies, as the Colab cell does
# make lab          open Jupyter Lab in the project's environment
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements
LOCK   := requirements.lock
PIP     = $(BIN)/python -m pip --disable-pip-version-check
QUIET_PIP := 2>&1 | sed "/is ignored/d"
# The Python version the lock was made with (its "# Python X.Y" line): the only one its pins were tested on.
LOCKED_PYTHON := $(shell sed -n 's/^. Python \([0-9]*\.[0-9]*\),.*/\1/p' $(LOCK))
# python3.11 (the locked version) if it is on the PATH, else python3; choose another with make PYTHON=/path/to/python.
PYTHON_LOCKED_FOUND := $(shell command -v python$(LOCKED_PYTHON) 2>/dev/null)
PYTHON ?= $(or $(PYTHON_LOCKED_FOUND),python3)
# The interpreter that counts: .venv's once it exists, else the one it will be made from.
VENV_PYTHON = $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON))
# torch from another index first, e.g. TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu (PyTorch's CPU builds),
# at the locked version; the rest from PyPI. Into a new .venv: an installed torch of that version is kept.
TORCH_INDEX_URL ?=
TORCH_VERSION := $(shell sed -n 's/^torch==//p' $(LOCK))
IMDB_ARCHIVE ?=
# The newest releases, as Colab runs them: a second environment on Python 3.12.
PYTHON_LATEST ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) python3.12)
LATEST := .venv-latest
LATEST_PACKAGES := torch numpy matplotlib spacy scikit-learn scipy tqdm threadpoolctl jupyter nbval nbformat nbclient \
                   pytest pytest-xdist six requests

.PHONY: setup check-python data test run tables lock test-latest lab clean

setup: $(STAMP)

check-python:
	@[ -n "$(LOCKED_PYTHON)" ] || { echo "$(LOCK) has no '# Python X.Y, ...' line: give it, e.g. make lock LOCKED_PYTHON=3.11" >&2; exit 1; }
	@version=$$($(VENV_PYTHON) -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null) || version=none; \
	case "$$version" in $(LOCKED_PYTHON).*) exit 0;; esac; \
	echo "This project needs Python $(LOCKED_PYTHON): the pins of $(LOCK) were tested on it. $(VENV_PYTHON) is" \
	  "$$([ $$version = none ] && echo 'not a Python that runs' || echo "Python $$version")." >&2; \
	if [ -x $(BIN)/python ]; then \
	  echo "Remove $(VENV) (make clean), then: make setup PYTHON=/path/to/python$(LOCKED_PYTHON)" >&2; \
	else \
	  echo "Install Python $(LOCKED_PYTHON), then choose it: make setup PYTHON=/path/to/python$(LOCKED_PYTHON)" \
	    "(or put python$(LOCKED_PYTHON) on the PATH)" >&2; \
	fi; \
	exit 1

$(STAMP): requirements.txt $(LOCK) | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(TORCH_INDEX_URL),$(PIP) install --quiet --no-deps --index-url $(TORCH_INDEX_URL) torch==$(TORCH_VERSION) $(QUIET_PIP))
	$(PIP) install --quiet -r requirements.txt -c $(LOCK) $(QUIET_PIP)
	$(BIN)/python -c "import torch, torchtext, nbval; print('torch', torch.__version__)"
	cat requirements.txt $(LOCK) > $@

lock: | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -r requirements.txt $(QUIET_PIP)
	{ echo "# Every package of .venv but pip, pinned: written by make lock (pip freeze, local version labels such as +cpu"; \
	  echo "# dropped). make setup installs requirements.txt with these pins as constraints. Made on:"; \
	  $(BIN)/python -c 'import platform as p; print("# Python %s.%s, %s %s" % (*p.python_version_tuple()[:2], p.system(), p.machine()))'; \
	  $(PIP) freeze --all --exclude pip --exclude-editable | sed -E 's/^([^=]+==[^+]+)\+.*$$/\1/'; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	cat requirements.txt $(LOCK) > $(STAMP)

data:
	$(VENV_PYTHON) tools/imdb_data.py $(if $(IMDB_ARCHIVE),--archive "$(IMDB_ARCHIVE)")

# TQDM_DISABLE=1: executed notebooks record no progress-bar refreshes (a person in Jupyter still sees the bars).
# Two workers, one notebook or test file each at a time (--dist loadfile), each with one thread for torch's OpenMP:
# two processes of two OpenMP threads each on two cores wait on one another.
PYTEST_PARALLEL := -n 2 --dist loadfile
test: $(STAMP) data
	QUICK=1 TQDM_DISABLE=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest $(PYTEST_PARALLEL)

run: $(STAMP) data
	for nb in notebooks/*.ipynb; do \
	  TQDM_DISABLE=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=-1 --ExecutePreprocessor.kernel_name=python3 "$$nb" || exit 1; \
	  $(BIN)/python tools/notebook_outputs.py --drop-progress-widgets "$$nb" || exit 1; \
	done

tables: $(STAMP)
	$(BIN)/python tools/tables.py --write

test-latest: data
	test -x $(LATEST)/bin/python || $(PYTHON_LATEST) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade $(LATEST_PACKAGES) $(QUIET_PIP)
	$(LATEST)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps torchtext==0.6.0 $(QUIET_PIP)
	$(LATEST)/bin/python -c "import sys, torch, torchtext, numpy, matplotlib, spacy, sklearn, scipy; \
	  print('newest releases:', 'Python', sys.version.split()[0], *(f'{m.__name__} {m.__version__}' for m in \
	  (torch, torchtext, numpy, matplotlib, spacy, sklearn, scipy)), sep=' | ')"
	QUICK=1 TQDM_DISABLE=1 OMP_NUM_THREADS=1 $(LATEST)/bin/python -m pytest $(PYTEST_PARALLEL) notebooks

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) $(LATEST) .pytest_cache data/checkpoints
