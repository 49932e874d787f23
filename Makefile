# The two commands of the README:
#   make run   set up everything (venv, packages, boundary data, map assets, demo database) and start the app
#   make test  set up everything, plus the system packages the tests need, and run every test
# Each step is idempotent and skipped when already done, so a second run starts at once.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Where setup copies the boundary layers from (see README, "Boundary data").
HT_GEODATA_SOURCE ?= ../shared/geodata
export HT_GEODATA_SOURCE
# `make run` opens the read-only demo to anonymous visitors only while the store holds nothing but the
# generated demo data (see README, "Security"); HT_DEMO_MODE=0 make run keeps it closed.
HT_DEMO_MODE ?= auto
# pytest-xdist workers for `make test`: one per core; files are kept whole on one worker (--dist loadfile),
# so a module's shared demo store is built once.
TEST_WORKERS ?= auto

.PHONY: run test lint setup venv geodata assets demo system-test-deps bench

# `python -m ui.serve` is `streamlit run app.py` that builds the registry, the base map, the datasets
# and the home page's figures before it listens (ui/serve.py); it takes Streamlit's options.
run: setup demo
	HT_DEMO_MODE=$(HT_DEMO_MODE) $(BIN)/python -m ui.serve

test: setup system-test-deps $(VENV)/.dev-installed lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

setup: venv geodata assets

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

geodata: venv
	$(BIN)/python -m loaders boundaries install --source "$(HT_GEODATA_SOURCE)"

assets: venv
	$(BIN)/python scripts/install_assets.py

demo: venv
	$(BIN)/python -m loaders demo --load --if-empty

system-test-deps:
	bash scripts/install_system_packages.sh

bench: setup $(VENV)/.dev-installed
	$(BIN)/python bench/map_payload.py
	$(BIN)/python bench/page_rerun.py
	$(BIN)/python bench/import_throughput.py
	$(BIN)/python bench/sheet_bomb.py
	$(BIN)/python bench/rerun_after_import.py
	$(BIN)/python bench/export_speed.py
