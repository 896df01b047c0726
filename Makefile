# Transformer Variants — every set-up step lives here, so a fresh clone needs only `make lab` or `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test test-compat browser site lint format zoo hub bench notebooks export figures clean-zoo help

help:
	@echo "make lab        set up .venv, prepare models, open JupyterLab on notebooks/"
	@echo "make test       set up .venv, build the offline model zoo, run lint + the whole suite offline"
	@echo "make test-compat  the suite again on transformers 4.57.x (.venv-compat), as on older Colab/Kaggle"
	@echo "make site       the course site (Jupyter Book) from the executed notebooks, in build/site (after make test)"
	@echo "make bench      print benchmark figures (last line: one JSON object)"
	@echo "make notebooks  re-execute notebooks offline, keep only committed-output cells, update kaggle/"
	@echo "make export     write course_utils/lessons/ from the notebook cells tagged export"
	@echo "make figures    draw the diagrams in notebooks/figures/ (tools/figures/)"
	@echo "make format     ruff format + autofix (notebooks included)"
	@echo "make hub        serve the offline zoo as a local Hub (notebook 05 offline; see README)"
	@echo "make zoo        build the offline model zoo (only the stand-ins whose inputs changed)"
	@echo "make lint       ruff check + ruff format --check (notebooks included), mypy course_utils"
	@echo "make browser    install Chromium for the browser tests when run as root (part of make test)"
	@echo "make clean-zoo  delete the offline model zoo"

# (Re)install when requirements.txt or pyproject.toml change. torch resolves to the local CPU wheel.
$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
	@touch $(STAMP)

# Jupyter refuses to run as root unless told; containers and classroom VMs often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# JupyterLab greets every new user with "get notified about Jupyter news?". The venv's default
# answers no (app settings, overrides.json); a learner can still switch it on in Settings.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): tools/jupyterlab-overrides.json $(STAMP)
	@mkdir -p $(@D)
	cp tools/jupyterlab-overrides.json $@

lab: $(STAMP) $(LAB_OVERRIDES)
	$(BIN)/python -m course_utils.zoo build --if-offline
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

zoo: $(STAMP)
	COURSE_OFFLINE=1 $(BIN)/python -m course_utils.zoo build

HUB_PORT ?= 8765
hub: zoo
	COURSE_OFFLINE=1 $(BIN)/python -m course_utils.local_hub --port $(HUB_PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy course_utils

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The browser tests (course site, JupyterLab) drive Debian's Chromium. As root (CI, containers)
# this installs it when missing; otherwise it says how, and those tests skip outside CI.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y -q chromium fonts-dejavu-core >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null && apt-get install -y -q chromium fonts-dejavu-core >/dev/null; }; \
	  else echo "The browser tests need Chromium: sudo apt-get install chromium"; fi; }

test: $(STAMP) lint zoo browser
	COURSE_OFFLINE=1 $(BIN)/python -m pytest

# transformers 4.57.x: a second venv, pins from requirements-compat.txt over requirements.txt. Its
# zoo is ported from the 5.x zoo (same weights), so `make zoo` first; tests/test_compat.py compares.
COMPAT_VENV  := .venv-compat
COMPAT_BIN   := $(COMPAT_VENV)/bin
COMPAT_STAMP := $(COMPAT_VENV)/.installed
COMPAT_TESTS ?=

$(COMPAT_STAMP): requirements.txt requirements-compat.txt requirements-nodeps.txt pyproject.toml $(STAMP)
	@test -x $(COMPAT_BIN)/python || $(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python tools/compat_requirements.py > $(COMPAT_VENV)/requirements.txt
	$(COMPAT_BIN)/python -m pip install --quiet -r $(COMPAT_VENV)/requirements.txt -e .
	$(COMPAT_BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
	@touch $@

test-compat: $(COMPAT_STAMP) zoo
	COURSE_OFFLINE=1 $(COMPAT_BIN)/python -m course_utils.zoo build
	COURSE_OFFLINE=1 $(COMPAT_BIN)/python -m pytest $(COMPAT_TESTS)

# The notebooks as `make test` executed them (build/executed) → a Jupyter Book in build/site/.
site: $(STAMP)
	$(BIN)/python tools/make_site.py

bench: $(STAMP) zoo
	COURSE_OFFLINE=1 $(BIN)/python tools/bench.py

export: $(STAMP)
	$(BIN)/python tools/export_lessons.py

figures: $(STAMP)
	$(BIN)/python tools/make_figures.py

notebooks: $(STAMP) zoo
	$(BIN)/python tools/platform_cells.py
	COURSE_OFFLINE=1 COURSE_QUICK=1 $(BIN)/python tools/refresh_notebooks.py
	$(BIN)/python tools/make_kaggle_metadata.py

clean-zoo: $(STAMP)
	$(BIN)/python -m course_utils.zoo clean
