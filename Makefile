# Two commands on a fresh machine: `make demo` and `make test`.
export UV_PYTHON_DOWNLOADS := never
PYTHON ?= python3.11
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)

.PHONY: install assets demo test bench lint typecheck clean

$(UV):
	$(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	bash scripts/ensure_system.sh build
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.built: node_modules/.installed scripts/build_assets.py
	.venv/bin/python scripts/build_assets.py
	touch $@

install: .venv/.synced assets

assets: .venv/.synced static/vendor/.built

demo: install
	bash scripts/demo.sh

test:
	bash scripts/ensure_system.sh
	$(MAKE) install
	bash scripts/test.sh

bench: install
	bash scripts/ensure_system.sh
	bash scripts/bench.sh

lint: .venv/.synced
	.venv/bin/ruff check .

# mypy with django-stubs' plugin; the settings and modules it checks are in pyproject.toml.
typecheck: .venv/.synced
	.venv/bin/mypy

clean:
	rm -rf .venv node_modules static/vendor staticfiles .demo db.sqlite3
